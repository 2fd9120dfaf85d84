"""The gold-set panel: the project's gold sets, the chosen one's scores per version and per run, and
the rows behind a score (a version's violations, a run's wrong predictions).

Choosing a gold set emits ``goldChosen(name)``; **Mark as gold** emits ``markRequested(name, slice,
note)`` for the shown version (``slice`` empty: all its rows); selecting a row of the lower list
emits ``rowSelected(version_id, row_id)``. The panel computes nothing: it draws a
:class:`~analysis.labeling.gold_report.GoldReport`.
"""

from __future__ import annotations

import math

import polars as pl
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from analysis.labeling.gold import GoldScore
from analysis.labeling.gold_report import GoldReport, VersionCheck
from widgets.tables import fitted_table, value_item

EMPTY_NOTE = (
    "A gold set freezes rows and their labels; later versions and every run are scored against it. "
    "Mark the shown version (or a saved slice of it) as gold below."
)
ALL_ROWS = "(all rows)"
SCORE_HEADERS = ["Scored", "Kind", "Accuracy [95% interval]", "Rows", "Disagree", "Violations"]
ROW_HEADERS = ["Row key", "What", "Gold", "Given", "Text"]
LISTED = 1000


def accuracy_text(score: GoldScore | None) -> str:
    """``97.5% [94.1%, 99.0%]``, or — when nothing was compared."""
    if score is None or math.isnan(score.accuracy):
        return "—"
    return f"{score.accuracy:.1%} [{score.low:.1%}, {score.high:.1%}]"


def describe(report: GoldReport) -> str:
    """The gold set in one or two lines: source, size, revision, author, note, newest violations."""
    g = report.gold
    made = f"made by {g.author} {g.created_at:%Y-%m-%d}" if g.created_at else f"made by {g.author}"
    note = f": {g.note}" if g.note else ""
    newest = report.newest
    state = ""
    if newest is not None:
        n = newest.violations.height
        state = f" {newest.name}: " + (f"{n:,} gold rows changed." if n else "no violation.")
    return f"'{g.name}': {g.rows:,} rows of {g.source}, revision {g.revision}, {made}{note}.{state}"


class GoldView(QWidget):
    """Draws a gold report; emits ``goldChosen(name)``, ``markRequested(name, slice, note)`` and
    ``rowSelected(version_id, row_id)``."""

    goldChosen = Signal(str)
    markRequested = Signal(str, str, str)
    rowSelected = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: GoldReport | None = None
        self._lines: list[tuple[VersionCheck | None, GoldScore | None]] = []
        self._version = -1  # the version the lower list's rows are of
        self.gold = QComboBox()
        self.gold.setMinimumContentsLength(14)
        self.gold.setToolTip("The project's gold sets")
        self.gold.activated.connect(lambda _i: self._choose())
        self.note = QLabel(EMPTY_NOTE)
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scores = fitted_table(SCORE_HEADERS, single_selection=True)
        self.scores.setToolTip("Each version's labels and each run's predictions on the gold rows")
        self.scores.itemSelectionChanged.connect(self._score_chosen)
        self.rows_title = QLabel("")
        self.rows = fitted_table(ROW_HEADERS, single_selection=True)
        self.rows.itemSelectionChanged.connect(self._row_chosen)
        self.name = QLineEdit(placeholderText="name")
        self.name.setToolTip("Name of the new gold set")
        self.slice = QComboBox()
        self.slice.addItem(ALL_ROWS)
        self.slice.setToolTip("Mark all rows of the shown version, or those of a saved slice")
        self.why = QLineEdit(placeholderText="why these rows are gold")
        self.mark_button = QPushButton("Mark as gold")
        self.mark_button.setToolTip("Freeze these rows of the shown version (texts and labels) as a gold set")
        self.mark_button.clicked.connect(self._mark)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.rows_title)
        lower_layout.addWidget(self.rows, 1)
        body = QSplitter(Qt.Orientation.Vertical)
        body.setChildrenCollapsible(False)
        body.addWidget(self.scores)
        body.addWidget(lower)
        top = QHBoxLayout()
        top.addWidget(QLabel("Gold set"))
        top.addWidget(self.gold)
        top.addWidget(self.note, 1)
        mark = QHBoxLayout()
        mark.addWidget(self.name)
        mark.addWidget(self.slice)
        mark.addWidget(self.why, 1)
        mark.addWidget(self.mark_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(body, 1)
        layout.addLayout(mark)

    def set_gold_sets(self, names: list[str], current: str | None = None) -> None:
        """The gold sets offered (``current`` chosen when given)."""
        keep = current or self.gold.currentText()
        self.gold.blockSignals(True)
        self.gold.clear()
        self.gold.addItems(names)
        if keep in names:
            self.gold.setCurrentText(keep)
        self.gold.blockSignals(False)

    def set_slices(self, names: list[str]) -> None:
        """The saved slices a gold set can be marked from."""
        self.slice.clear()
        self.slice.addItems([ALL_ROWS, *names])

    def clear(self, message: str = EMPTY_NOTE) -> None:
        """Show no report, and ``message``."""
        self.report = None
        self.note.setText(message)
        self._lines = []
        self.scores.setRowCount(0)
        self.rows.setRowCount(0)
        self.rows_title.setText("")

    def show_report(self, report: GoldReport) -> None:
        """Draw ``report``: a line per version and per run, the newest version's rows chosen."""
        self.report = report
        self.note.setText(describe(report))
        lines: list[tuple[VersionCheck | None, GoldScore | None]] = [(v, v.score) for v in report.versions]
        lines += [(None, s) for s in report.runs]
        self.scores.blockSignals(True)
        self.scores.setRowCount(len(lines))
        for r, (check, score) in enumerate(lines):
            subject = check.name if check is not None else (score.subject if score else "")
            kind = "labels" if check is not None else (score.kind if score else "")
            compared = score.compared if score is not None else 0
            violations = check.violations.height if check is not None else None
            cells = [
                value_item(subject, r),
                value_item(kind),
                value_item(accuracy_text(score), score.accuracy if score is not None else None),
                value_item(f"{compared:,}", compared),
                value_item(f"{score.disagreements.height:,}" if score is not None else "—"),
                value_item("" if violations is None else f"{violations:,}", violations),
            ]
            for c, item in enumerate(cells):
                self.scores.setItem(r, c, item)
        self.scores.blockSignals(False)
        self._lines = lines
        if report.versions:
            self.scores.selectRow(len(report.versions) - 1)  # the newest version's violations
        else:
            self._fill_rows(None, None)

    def _score_chosen(self) -> None:
        picked = sorted({i.row() for i in self.scores.selectedIndexes()})
        if picked:
            self._fill_rows(*self._lines[picked[0]])

    def _fill_rows(self, check: VersionCheck | None, score: GoldScore | None) -> None:
        if check is not None:
            frame = check.violations.select(
                "row_key",
                "row_id",
                pl.col("kind").alias("what"),
                "gold_label",
                pl.col("label").alias("given"),
                "text",
            )
            self._version = check.version_id
            title = f"{check.name}: gold rows missing or changed ({frame.height:,})"
        elif score is not None:
            frame = score.disagreements.with_columns(what=pl.lit("prediction")).select(
                "row_key", "row_id", "what", "gold_label", "given", "text"
            )
            self._version = score.version_id
            title = f"{score.subject}: rows predicted otherwise than gold ({frame.height:,})"
        else:
            frame, title = pl.DataFrame(), ""
        self.rows_title.setText(title + (f", {LISTED:,} listed" if frame.height > LISTED else ""))
        shown = frame.head(LISTED)
        self.rows.blockSignals(True)
        self.rows.clearSelection()
        self.rows.setRowCount(shown.height)
        for r, row in enumerate(shown.iter_rows(named=True)):
            text = " ".join(str(row["text"] or "").split())
            cells = [
                value_item(str(row["row_key"]), row["row_id"]),
                value_item(str(row["what"])),
                value_item(str(row["gold_label"] or "")),
                value_item("" if row["given"] is None else str(row["given"])),
                value_item(text, tip=text),
            ]
            for c, item in enumerate(cells):
                self.rows.setItem(r, c, item)
        self.rows.blockSignals(False)

    def _row_chosen(self) -> None:
        picked = sorted({i.row() for i in self.rows.selectedIndexes()})
        if not picked:
            return
        item = self.rows.item(picked[0], 0)
        row_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if row_id is not None:  # a missing row has no row to show
            self.rowSelected.emit(int(self._version), int(row_id))

    def _choose(self) -> None:
        name = self.gold.currentText()
        if name:
            self.goldChosen.emit(name)

    def _mark(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.note.setText("Give the new gold set a name first.")
            self.name.setFocus()
            return
        chosen = self.slice.currentText()
        self.markRequested.emit(name, "" if chosen == ALL_ROWS else chosen, self.why.text().strip())
