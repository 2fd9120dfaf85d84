"""The map's plot widget."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QMouseEvent


class MapPlot(pg.PlotWidget):
    """The map's plot; reports double-clicks from Qt itself, as pyqtgraph's click events lose a
    double-click that follows a press in the same gesture."""

    doubleClicked = Signal(QPointF)  # scene position
    contextMenuRequested = Signal(QPoint)  # global position of a right-click

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        # The map's own menu (export, tag, clear) replaces pyqtgraph's plot menu.
        self.contextMenuRequested.emit(event.globalPos())
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.doubleClicked.emit(self.mapToScene(event.position().toPoint()))
        super().mouseDoubleClickEvent(event)
