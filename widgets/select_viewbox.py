"""The map's view box: left drag draws a rectangle or a lasso in those modes, and pans otherwise."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem


class SelectViewBox(pg.ViewBox):
    """A ViewBox whose left drag draws a rectangle or lasso instead of panning, in those modes."""

    polygonSelected = Signal(object, object)  # (m, 2) polygon in data coordinates, keyboard modifiers

    def __init__(self) -> None:
        super().__init__()
        self.mode = "pan"
        self._points: list[QPointF] = []
        self._outline = QGraphicsPathItem()
        self._outline.setPen(pg.mkPen((20, 20, 20), width=1.5, style=Qt.PenStyle.DashLine))
        self._outline.setBrush(QBrush(QColor(30, 120, 200, 40)))
        self._outline.setZValue(1e6)
        self.addItem(self._outline, ignoreBounds=True)
        self._outline.hide()

    def mouseDragEvent(self, ev, axis=None):  # type: ignore[no-untyped-def]
        if self.mode == "pan" or ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        here = self.mapToView(ev.pos())
        if ev.isStart():
            self._points = [self.mapToView(ev.buttonDownPos())]
        if self.mode == "rect":
            a = self._points[0]
            self._points = [a, QPointF(here.x(), a.y()), here, QPointF(a.x(), here.y())]
        else:
            self._points.append(here)
        path = QPainterPath(self._points[0])
        for p in self._points[1:]:
            path.lineTo(p)
        path.closeSubpath()
        self._outline.setPath(path)
        self._outline.show()
        if ev.isFinish():
            self._outline.hide()
            polygon = np.array([[p.x(), p.y()] for p in self._points])
            self.polygonSelected.emit(polygon, ev.modifiers())
