"""The slice panel's charts: accuracy of each saved slice with its Wilson interval, and the classes with
the lowest F1 in the chosen slice (each in its project colour)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget

from analysis.palette import GREY, RGBA
from analysis.slices.metrics import SliceMetrics

MIN_CHART_HEIGHT = 110
LABEL_CHARS = 22
TICK_POINTS = 8
CLASSES_TITLE = "Lowest F1 per class"
ROW_PIXELS = 15


def _tick_font() -> QFont:
    font = QFont()
    font.setPointSize(TICK_POINTS)
    return font


def _chart(title: str) -> pg.PlotWidget:
    chart = pg.PlotWidget(background="w")
    chart.setTitle(title, size="9pt")
    chart.setMinimumHeight(MIN_CHART_HEIGHT)
    chart.setMinimumWidth(240)
    chart.setMenuEnabled(False)
    chart.setMouseEnabled(x=False, y=False)
    chart.hideButtons()
    for side in ("left", "bottom"):
        chart.getAxis(side).setStyle(tickFont=_tick_font())
    return chart


def _label_bars(chart: pg.PlotWidget, y: np.ndarray, labels: list[str]) -> None:
    """Name the bars on the left axis, as wide as its longest name: pyqtgraph widens an axis for
    long ticks only after a repaint, which pushed the bars out of the chart."""
    axis = chart.getAxis("left")
    axis.setTicks([list(zip((float(v) for v in y), labels, strict=True))])
    metrics = QFontMetrics(_tick_font())
    axis.setWidth(max((metrics.horizontalAdvance(t) for t in labels), default=0) + 12)


class SliceCharts(QSplitter):
    """Two charts one above the other; the splitter lets a person give either more room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.accuracy = _chart("Accuracy (95% Wilson CI)")
        self.classes = _chart(CLASSES_TITLE)
        self.addWidget(self.accuracy)
        self.addWidget(self.classes)
        self.setChildrenCollapsible(False)
        self._classes: tuple[list[dict[str, Any]], dict[str, RGBA]] = ([], {})
        self._rows = 0
        self.splitterMoved.connect(lambda _pos, _index: self._fit_classes())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_classes()

    def _class_rows(self) -> int:
        """How many class bars the F1 chart has room for (a bar and its name need about 15 px)."""
        room = self.classes.height() - 55  # title and x axis
        return max(3, room // ROW_PIXELS)

    def _fit_classes(self) -> None:
        if self._classes[0] and self._class_rows() != self._rows:
            self._draw_classes()

    def show_accuracy(self, metrics: list[SliceMetrics]) -> None:
        """A bar per slice (first slice on top) with its accuracy's 95% interval."""
        self.accuracy.clear()
        shown = [m for m in metrics if np.isfinite(m.accuracy)]
        if not shown:
            return
        y = np.arange(len(shown))[::-1].astype(float)
        acc = np.array([m.accuracy for m in shown])
        self.accuracy.addItem(
            pg.BarGraphItem(x0=np.zeros(len(shown)), y=y, width=acc, height=0.6, brush=(158, 202, 225))
        )
        low = acc - np.array([m.accuracy_low for m in shown])
        high = np.array([m.accuracy_high for m in shown]) - acc
        self.accuracy.addItem(
            pg.ErrorBarItem(x=acc, y=y, left=low, right=high, beam=0.2, pen=pg.mkPen((40, 40, 40)))
        )
        _label_bars(self.accuracy, y, [_short(m.name) for m in shown])
        self.accuracy.setXRange(0, 1, padding=0.04)
        self.accuracy.setYRange(-0.6, len(shown) - 0.4)

    def show_classes(
        self, worst: list[dict[str, Any]], colours: dict[str, RGBA], slice_name: str = ""
    ) -> None:
        """Bars of the given per-class entries (``class``, ``f1``, ``support``; lowest first, drawn on
        top), each in its class's colour (grey for a class the project has no colour for); as many
        as the chart's height has room for."""
        self.classes.setTitle(f"Lowest F1: {_short(slice_name)}" if slice_name else CLASSES_TITLE, size="9pt")
        self._classes = (worst, colours)
        self._draw_classes()

    def _draw_classes(self) -> None:
        """The lowest F1 bars that fit the chart's height (all of them from about 175 px)."""
        self.classes.clear()
        self._rows = self._class_rows()
        worst, colours = self._classes[0][: self._rows], self._classes[1]
        if not worst:
            return
        y = np.arange(len(worst))[::-1].astype(float)
        brushes = [pg.mkBrush(colours.get(str(c["class"]), GREY)) for c in worst]
        self.classes.addItem(
            pg.BarGraphItem(
                x0=np.zeros(len(worst)),
                y=y,
                width=[c["f1"] for c in worst],
                height=0.6,
                brushes=brushes,
                pen=pg.mkPen((60, 60, 60)),
            )
        )
        _label_bars(self.classes, y, [f"{_short(str(c['class']))} ({c['support']})" for c in worst])
        self.classes.setXRange(0, 1, padding=0.04)
        self.classes.setYRange(-0.6, len(worst) - 0.4)


def _short(name: str, limit: int = LABEL_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
