"""The version diff view: summary, label changes from → to (a sorted list beside a heatmap), changed
cells old → new; select the rows."""

from __future__ import annotations

import polars as pl
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from analysis.versions.diff import VersionDiff
from widgets.class_pairs_view import ClassPairsView
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
        for widget in (QLabel("From"), self.from_box, QLabel("to"), self.to_box, compare):
            bar.addWidget(widget)
        bar.addStretch(1)
        self.summary = QLabel("Choose two versions and press Compare.")
        self.summary.setWordWrap(True)
        self.changes = ClassPairsView()
        self.changes.setToolTip("Label changes, largest first, and every old × new label; click to select")
        self.changes.pairChosen.connect(self.select_label_change)
        self.rows = readonly_table(["Key", "Column", "Old", "New"], stretch_all=True)
        rows_bar = QHBoxLayout()
        for widget in (QLabel("Show"), self.kind, select):
            rows_bar.addWidget(widget)
        rows_bar.addStretch(1)
        rows_panel = QWidget()
        rows_layout = QVBoxLayout(rows_panel)
        rows_layout.setContentsMargins(0, 4, 0, 0)
        rows_layout.addLayout(rows_bar)
        rows_layout.addWidget(self.rows, 1)
        # each part gets the whole area: a label-change matrix needs width and height to be read
        self.tabs = QTabWidget()
        self.tabs.addTab(self.changes, "Label changes")
        self.tabs.addTab(rows_panel, "Rows")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

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
        pairs = diff.label_pairs
        self.changes.set_pairs(pairs)
        changed = pairs.total if pairs is not None else 0
        self.tabs.setTabText(0, f"Label changes ({changed:,})" if pairs is not None else "Label changes")
        self.tabs.setTabEnabled(0, pairs is not None)
        self.tabs.setTabText(
            1, f"Rows ({diff.changed:,} changed, {diff.added:,} added, {diff.removed:,} removed)"
        )
        if pairs is None or not changed:
            self.tabs.setCurrentIndex(1)
        self._fill_rows()

    def clear(self) -> None:
        """Forget the shown diff (another project or dataset is shown)."""
        self.diff = None
        self.summary.setText("Choose two versions and press Compare.")
        self.changes.set_pairs(None)
        self.tabs.setTabText(0, "Label changes")
        self.tabs.setTabText(1, "Rows")
        self._fill_rows()

    def select_label_change(self, first: int, second: int) -> None:
        """Select the rows whose label went from ``classes[first]`` to ``classes[second]`` of the diff's
        label pairs (emits ``selectKeys`` with their keys)."""
        pairs = self.diff.label_pairs if self.diff is not None else None
        if pairs is not None:
            self.selectKeys.emit(pairs.keys(first, second))

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
