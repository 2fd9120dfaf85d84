"""The map's plot widget."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent


class MapPlot(pg.PlotWidget):
    """The map's plot; reports double-clicks from Qt itself, as pyqtgraph's click events lose a
    double-click that follows a press in the same gesture."""

    doubleClicked = Signal(QPointF)  # scene position

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.doubleClicked.emit(self.mapToScene(event.position().toPoint()))
        super().mouseDoubleClickEvent(event)
