"""The version diff view: summary, label changes from → to, changed cells old → new; select the rows."""

from __future__ import annotations

import polars as pl
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from analysis.versions.diff import VersionDiff
from widgets.tables import append_row, readonly_table

KINDS = ("changed cells", "added rows", "removed rows")


class DiffView(QWidget):
    """Choose two versions; shows what changed. Emits ``compareRequested`` and ``selectKeys``."""

    compareRequested = Signal(int, int)
    selectKeys = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.diff: VersionDiff | None = None
        self.from_box, self.to_box = QComboBox(), QComboBox()
        compare = QPushButton("Compare")
        compare.clicked.connect(
            lambda: self.compareRequested.emit(self.from_box.currentData(), self.to_box.currentData())
        )
        self.kind = QComboBox()
        self.kind.addItems(KINDS)
        self.kind.currentTextChanged.connect(lambda _t: self._fill_rows())
        select = QPushButton("Select these rows")
        select.clicked.connect(self._select)
        bar = QHBoxLayout()
        for widget in (
            QLabel("From"),
            self.from_box,
            QLabel("to"),
            self.to_box,
            compare,
            QLabel("Show"),
            self.kind,
            select,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        self.summary = QLabel("Choose two versions and press Compare.")
        self.summary.setWordWrap(True)
        self.labels = readonly_table(["Label from", "to", "Rows"], stretch_all=True)
        self.labels.setToolTip("Click a change to select its rows")
        self.labels.cellClicked.connect(
            lambda r, _c: self.select_label_change(
                self.labels.item(r, 0).text(), self.labels.item(r, 1).text()
            )
        )
        self.matrix = QTableWidget()
        self.matrix.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.matrix.setToolTip("Given label (rows) → new label (columns); click a cell to select its rows")
        self.matrix.cellClicked.connect(
            lambda r, c: self.select_label_change(
                self.matrix.verticalHeaderItem(r).text(), self.matrix.horizontalHeaderItem(c).text()
            )
        )
        self.as_matrix = QCheckBox("Label changes as a matrix")
        stack = QStackedWidget()
        stack.addWidget(self.labels)
        stack.addWidget(self.matrix)
        self.as_matrix.toggled.connect(lambda on: stack.setCurrentIndex(int(on)))
        label_panel = QWidget()
        label_layout = QVBoxLayout(label_panel)
        label_layout.setContentsMargins(0, 0, 0, 0)
        label_layout.addWidget(self.as_matrix)
        label_layout.addWidget(stack, 1)
        self.rows = readonly_table(["Key", "Column", "Old", "New"], stretch_all=True)
        split = QSplitter()
        split.addWidget(label_panel)
        split.addWidget(self.rows)
        split.setSizes([300, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    def set_versions(self, versions: list[tuple[int, str]], current: int | None) -> None:
        """The versions to choose from: (version id, display name); ``to`` defaults to the shown one."""
        for box in (self.from_box, self.to_box):
            box.clear()
            for vid, name in versions:
                box.addItem(name, vid)
        if versions:
            self.from_box.setCurrentIndex(max(0, len(versions) - 2))
            index = self.to_box.findData(current)
            self.to_box.setCurrentIndex(index if index >= 0 else len(versions) - 1)

    def show_diff(self, diff: VersionDiff) -> None:
        """Fill the summary and tables."""
        self.diff = diff
        parts = [
            f"Matched by {diff.match_by}: <b>{diff.added:,}</b> added, <b>{diff.removed:,}</b> removed, "
            f"<b>{diff.changed:,}</b> changed, {diff.unchanged:,} unchanged."
        ]
        schema = diff.schema
        if schema["added"] or schema["removed"] or schema["retyped"]:
            parts.append(f"Columns {diff.schema_text()}")
        if diff.repeated_text():
            parts.append(diff.repeated_text().capitalize())
        p = diff.predictions
        if p:
            parts.append(
                f"Predictions: {p['wrong_to_right']:,} wrong→right, {p['right_to_wrong']:,} right→wrong, "
                f"{p['changed_wrong']:,} changed wrong; "
                f"accuracy {p['accuracy_from']:.1%} → {p['accuracy_to']:.1%} "
                f"({p['difference']:+.1%} [{p['difference_ci'][0]:+.1%}, {p['difference_ci'][1]:+.1%}])"
            )
        c = diff.clusters
        if c:
            parts.append(
                f"Clusters: {len(c['matched'])} matched, {len(c['changed'])} changed size markedly, "
                f"{len(c['vanished'])} vanished, {len(c['appeared'])} appeared"
            )
        self.summary.setText("<br>".join(parts))
        self.labels.setRowCount(0)
        for row in diff.label_changes.head(500).iter_rows():
            self._append(self.labels, [str(v) for v in row])
        self._fill_matrix(diff.label_changes)
        self._fill_rows()

    def _fill_matrix(self, changes: pl.DataFrame, limit: int = 60) -> None:
        """From (rows) × to (columns) counts of the labels that changed most, shaded by count."""
        froms = changes.group_by("from").agg(pl.col("rows").sum()).sort("rows", descending=True)
        tos = changes.group_by("to").agg(pl.col("rows").sum()).sort("rows", descending=True)
        rows = sorted(str(v) for v in froms["from"].head(limit))
        columns = sorted(str(v) for v in tos["to"].head(limit))
        self.matrix.clear()
        self.matrix.setRowCount(len(rows))
        self.matrix.setColumnCount(len(columns))
        self.matrix.setVerticalHeaderLabels(rows)
        self.matrix.setHorizontalHeaderLabels(columns)
        peak = max(int(changes["rows"].max() or 1), 1)  # type: ignore[arg-type]
        row_of, column_of = {r: i for i, r in enumerate(rows)}, {c: i for i, c in enumerate(columns)}
        for frm, to, n in changes.iter_rows():
            if str(frm) in row_of and str(to) in column_of:
                item = QTableWidgetItem(str(n))
                item.setBackground(QColor(214, 39, 40, int(40 + 180 * n / peak)))
                self.matrix.setItem(row_of[str(frm)], column_of[str(to)], item)
        self.matrix.resizeColumnsToContents()

    def select_label_change(self, old: str, new: str) -> None:
        """Select the rows whose label went from ``old`` to ``new``."""
        diff = self.diff
        if diff is None or diff.label_column is None:
            return
        cells = diff.changed_cells.filter(
            (pl.col("column") == diff.label_column) & (pl.col("old") == old) & (pl.col("new") == new)
        )
        self.selectKeys.emit(cells["key"].to_list())

    def _fill_rows(self) -> None:
        self.rows.setRowCount(0)
        diff = self.diff
        if diff is None:
            return
        kind = self.kind.currentText()
        if kind == "changed cells":
            for key, column, old, new in diff.changed_cells.head(2000).iter_rows():
                self._append(self.rows, [key, column, str(old), str(new)], highlight=True)
        else:
            keys = diff.added_keys if kind == "added rows" else diff.removed_keys
            for key in keys[:2000]:
                self._append(self.rows, [key, "", "", ""])

    def keys(self) -> list[str]:
        """Row keys of what is shown (changed or added rows exist in the 'to' version)."""
        if self.diff is None:
            return []
        kind = self.kind.currentText()
        if kind == "changed cells":
            return pl.Series(self.diff.changed_cells["key"]).unique().to_list()
        return self.diff.added_keys if kind == "added rows" else self.diff.removed_keys

    def _select(self) -> None:
        self.selectKeys.emit(self.keys())

    @staticmethod
    def _append(table: QTableWidget, values: list[str], highlight: bool = False) -> None:
        items = append_row(table, values)
        if highlight:
            items[2].setBackground(QColor(255, 224, 224))  # old value
            items[3].setBackground(QColor(224, 245, 224))  # new value
