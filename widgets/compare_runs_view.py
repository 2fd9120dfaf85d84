"""The Compare runs tab: a leaderboard of the version's generative runs, run B against run A (wins,
losses, ties, the paired difference of pass rates), regressions per cluster and the regressed prompts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from widgets.tables import append_row, readonly_table


def _pct(value: float | None) -> str:
    return "" if value is None or value != value else f"{value:.1%}"


class CompareRunsView(QWidget):
    """Renders :func:`analysis.generative.overview.runs_overview`; emits the runs chosen and the rows
    picked in the regression list."""

    compareRequested = Signal(str, str)
    rowsPicked = Signal(list)
    shown = Signal()  # the tab came into view (the controller reads what it shows only then)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_a, self.run_b = QComboBox(), QComboBox()
        for combo in (self.run_a, self.run_b):
            combo.setMinimumContentsLength(18)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.activated.connect(lambda _i: self._request())
        self.summary = QLabel("Import a generative run (prompts and responses) to compare runs.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.board = readonly_table(["Run", "Judged", "Pass rate", "95% interval", "Mean score", "Tokens"])
        self.groups = readonly_table(["Cluster", "Rows", "Regressed", "Improved", "B − A"])
        self.regressions = readonly_table(["Row", "Cluster", "Prompt", "Response A", "Response B"])
        _stretch(self.regressions, fitted=(0, 1))
        self.regressions.itemSelectionChanged.connect(self._picked)
        self.regressions.setToolTip("Passed in run A, failed in run B. Select rows to show them everywhere.")
        pick = QHBoxLayout()
        for text, combo in (("Run &A:", self.run_a), ("against run &B:", self.run_b)):
            label = QLabel(text)
            label.setBuddy(combo)
            pick.addWidget(label)
            pick.addWidget(combo)
        pick.addStretch(1)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(_titled("Leaderboard (pass rate, 95% bootstrap interval over prompts)", self.board))
        top.addWidget(_titled("Regressions by cluster", self.groups))
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(_titled("Regressions: passed in A, failed in B", self.regressions))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(pick)
        layout.addWidget(self.summary)
        layout.addWidget(body, 1)
        self._rows: list[int] = []

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.shown.emit()

    def clear(self) -> None:
        """No generative runs: empty tables and a hint."""
        self.show_overview({"runs": [], "leaderboard": [], "comparison": None, "regressions": []})

    def _request(self) -> None:
        a, b = self.run_a.currentText(), self.run_b.currentText()
        if a and b:
            self.compareRequested.emit(a, b)

    def _picked(self) -> None:
        rows = sorted({self._rows[i.row()] for i in self.regressions.selectedIndexes()})
        if rows:
            self.rowsPicked.emit(rows)

    def show_overview(self, overview: dict[str, Any]) -> None:
        """Show the leaderboard, the comparison and the regressions."""
        for combo, chosen in ((self.run_a, overview.get("run_a")), (self.run_b, overview.get("run_b"))):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(overview["runs"])
            if chosen:
                combo.setCurrentText(chosen)
            combo.blockSignals(False)
        for table in (self.board, self.groups, self.regressions):
            table.setRowCount(0)
        for e in overview["leaderboard"]:
            score = "" if e["mean_score"] is None else f"{e['mean_score']:.3f}"
            append_row(
                self.board,
                [
                    e["run"],
                    f"{e['judged']:,}",
                    _pct(e["pass_rate"]),
                    f"{_pct(e['pass_rate_low'])} – {_pct(e['pass_rate_high'])}",
                    score,
                    f"{e['mean_tokens']:.0f}",
                ],
            )
        c = overview["comparison"]
        if c is None:
            self.summary.setText(
                "Import a second generative run on these prompts to compare runs."
                if overview["runs"]
                else "Import a generative run (prompts and responses) to compare runs."
            )
            self._rows = []
            return
        self.summary.setText(
            f"<b>{c['run_b']}</b> against <b>{c['run_a']}</b> on {c['rows']:,} prompts judged in both — by "
            f"{c['compared_by']}: {c['wins']:,} wins, {c['losses']:,} losses, {c['ties']:,} ties. Pass rate "
            f"{_pct(c['pass_rate_a'])} → {_pct(c['pass_rate_b'])}, difference {c['difference']:+.1%} "
            f"[{c['difference_low']:+.1%}, {c['difference_high']:+.1%}] (95%, paired). "
            f"<b>{c['regression_count']:,} regressions</b>, {c['improvement_count']:,} improvements."
        )
        for g in c["by_group"]:
            append_row(
                self.groups,
                [
                    g["group"],
                    f"{g['rows']:,}",
                    str(g["regressions"]),
                    str(g["improvements"]),
                    f"{g['difference']:+.1%}",
                ],
            )
        self._rows = [r["row"] for r in overview["regressions"]]
        for r in overview["regressions"]:
            items = append_row(
                self.regressions, [str(r["row"]), r["cluster"], r["prompt"], r["response_a"], r["response_b"]]
            )
            for item, tip in zip(items[2:], (r["prompt"], r["response_a"], r["response_b"]), strict=True):
                item.setToolTip(tip)


def _stretch(table: QTableWidget, fitted: tuple[int, ...]) -> None:
    """Columns ``fitted`` fit their contents; the others share the rest of the width."""
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        mode = QHeaderView.ResizeMode.ResizeToContents if column in fitted else QHeaderView.ResizeMode.Stretch
        header.setSectionResizeMode(column, mode)


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(QLabel(title))
    layout.addWidget(widget, 1)
    return box
