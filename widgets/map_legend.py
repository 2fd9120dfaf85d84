"""The map's legend: one line per category with its colour and row count, tick boxes to grey out
categories, and a note when there are more categories than colours one can tell apart."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from analysis.palette import DISTINCT, REST, LegendEntry

TOP_SHOWN = 12
WIDTH = 210


class MapLegend(QWidget):
    """Shows a colouring's :class:`LegendEntry` list; emits what the user picks.

    Signals
    -------
    entryClicked(object)
        The value of the clicked entry (:data:`REST` for "(missing)"): select its rows.
    hiddenChanged(object)
        The set of values to draw grey, after a tick box, *All* or *Top 12*.
    """

    entryClicked = Signal(object)
    hiddenChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[LegendEntry] = []
        self._hidden: set[object] = set()
        self.list = QListWidget()
        self.list.setToolTip("Click a category to select its rows; untick it to draw it grey")
        self.list.itemClicked.connect(
            lambda item: self.entryClicked.emit(self.entries[self.list.row(item)].value)
        )
        self.list.itemChanged.connect(self._on_check)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.note = QLabel(wordWrap=True)
        self.note.hide()
        self.show_all = QToolButton(text="All", toolTip="Draw every category in its colour")
        self.show_top = QToolButton(text=f"Top {TOP_SHOWN}", toolTip="Colour only the largest categories")
        self.show_all.clicked.connect(lambda: self.hiddenChanged.emit(set()))
        self.show_top.clicked.connect(
            lambda: self.hiddenChanged.emit(
                {e.value for e in self.entries[TOP_SHOWN:] if e.value is not REST}
            )
        )
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Show"))
        tools.addWidget(self.show_all)
        tools.addWidget(self.show_top)
        tools.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(tools)
        layout.addWidget(self.list, 1)
        self.setFixedWidth(WIDTH)

    def set_entries(self, entries: list[LegendEntry], hidden: set[object], categories: bool) -> None:
        """Show ``entries``; with ``categories`` (label, prediction, cluster) each gets a tick box,
        unticked when its value is in ``hidden``."""
        self.entries, self._hidden = entries, set(hidden)
        metrics = self.list.fontMetrics()
        self.list.blockSignals(True)
        self.list.clear()
        for entry in entries:
            pix = QPixmap(12, 12)
            pix.fill(QColor(*entry.rgba))
            # the count always shows: a long name is shortened, not the count cut off
            count = f"  ({entry.count:,})"
            room = self.width() - 70 - metrics.horizontalAdvance(count)
            name = metrics.elidedText(entry.name, Qt.TextElideMode.ElideRight, room)
            item = QListWidgetItem(QIcon(pix), name + count)
            item.setToolTip(f"{entry.name}: {entry.count:,} rows")
            if categories and entry.value is not REST and entry.name != "noise":
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                shown = entry.value not in hidden
                item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        count = sum(1 for e in entries if e.value is not REST and e.name != "noise")
        many = categories and count > DISTINCT
        self.note.setText(
            f"{count} categories: beyond {DISTINCT} the colours are hard to tell apart. "
            "Untick some, or show only the largest."
            if many
            else ""
        )
        self.note.setVisible(many)
        for button in (self.show_all, self.show_top):
            button.setEnabled(categories)

    def clear(self) -> None:
        """Show nothing."""
        self.entries = []
        self.list.clear()
        self.note.hide()

    def _on_click(self, item: QListWidgetItem) -> None:
        self.entryClicked.emit(self.entries[self.list.row(item)].value)

    def _on_check(self, item: QListWidgetItem) -> None:
        value = self.entries[self.list.row(item)].value
        hidden = set(self._hidden)
        if item.checkState() == Qt.CheckState.Checked:
            hidden.discard(value)
        else:
            hidden.add(value)
        self.hiddenChanged.emit(hidden)
