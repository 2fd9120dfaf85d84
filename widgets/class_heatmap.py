"""A class × class heatmap: one pixel block per cell, class names on hover, a click chooses a cell.

Drawn as a pyqtgraph image so that a 77 × 77 (or 150 × 150) matrix fits a few hundred pixels and the
wheel zooms into a corner; the axes name as many classes as the zoom leaves room for.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QToolTip, QWidget

from analysis.class_pairs import ClassPairs

EMPTY = (255, 255, 255)
OFF = (214, 39, 40)  # rows whose two classes differ: the confusions (analysis.palette.WRONG)
ON = (46, 160, 67)  # the diagonal: rows whose classes agree (analysis.palette.RIGHT)
LEFT_AXIS_WIDTH = 140


def heat_rgba(counts: NDArray[np.int64], normalised: bool = False) -> NDArray[np.uint8]:
    """uint8 (K, K, 4) colours of a count matrix: white where empty, red off the diagonal and green
    on it, each scaled to its own maximum (the diagonal would otherwise wash the confusions out).

    Off-diagonal cells use the square root of their value so that a cell of one row still shows
    beside a cell of fifty. ``normalised`` shades by each cell's share of its row (first class).
    """
    k = counts.shape[0]
    values = counts.astype(np.float64)
    if normalised:
        values = values / np.maximum(values.sum(axis=1, keepdims=True), 1)
    diagonal = np.eye(k, dtype=bool)
    strength = np.zeros_like(values)
    off = np.where(diagonal, 0.0, values)
    if off.max() > 0:
        strength = np.sqrt(off / off.max())
    on = np.where(diagonal, values, 0.0)
    if on.max() > 0:
        strength = np.where(diagonal, on / on.max(), strength)
    # a cell with rows is never drawn white: at least 15% of the way to its colour
    strength = np.where(values > 0, 0.15 + 0.85 * strength, 0.0)
    base = np.where(diagonal[..., None], np.array(ON), np.array(OFF))
    rgb = np.array(EMPTY) + (base - np.array(EMPTY)) * strength[..., None]
    out = np.empty((k, k, 4), dtype=np.uint8)
    out[..., :3] = np.round(rgb)
    out[..., 3] = 255
    return out


class ClassAxis(pg.AxisItem):
    """An axis whose ticks are class names at cell centres, as many as fit without overlapping."""

    def __init__(self, orientation: str, spacing: int) -> None:
        super().__init__(orientation)
        # every tick chosen is drawn (pyqtgraph would drop some to keep the axis 80% empty)
        self.setStyle(textFillLimits=[(0, 1.0)])
        self.setTextPen(QColor(60, 60, 60))
        self.names: list[str] = []
        self.spacing = spacing  # pixels one tick label needs along the axis
        self.chars = 17 if orientation in ("left", "right") else 12

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        if not self.names or size <= 0:
            return []
        low, high = sorted((minVal, maxVal))
        per_class = size / max(high - low, 1e-9)
        step = max(1, math.ceil(self.spacing / per_class))
        first, last = max(0, math.floor(low)), min(len(self.names) - 1, math.ceil(high))
        # a name centred nearer an end than half its room would be cut by the plot's edge
        margin = self.spacing / 2 if self.orientation in ("left", "right") else 0.0
        ticks = [
            i + 0.5
            for i in range(first, last + 1)
            if i % step == 0 and margin <= (i + 0.5 - low) * per_class <= size - margin
        ]
        return [(float(step), ticks)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for value in values:
            name = self.names[int(value)] if 0 <= int(value) < len(self.names) else ""
            out.append(name if len(name) <= self.chars else name[: self.chars - 1] + "…")
        return out


class ClassHeatmap(pg.PlotWidget):
    """The heatmap of a :class:`~analysis.class_pairs.ClassPairs`: first class down the rows, second
    along the columns. Emits ``cellClicked(first, second)`` for a left click on a cell."""

    cellClicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        self.left_axis, self.bottom_axis = ClassAxis("left", 20), ClassAxis("bottom", 90)
        super().__init__(parent, axisItems={"left": self.left_axis, "bottom": self.bottom_axis})
        self.setBackground("w")
        self.left_axis.setWidth(LEFT_AXIS_WIDTH)
        self.pairs: ClassPairs | None = None
        self.normalised = False
        self.image = pg.ImageItem(axisOrder="row-major")
        self.viewbox = self.getPlotItem().getViewBox()
        self.viewbox.addItem(self.image)
        self.viewbox.invertY(True)
        self.viewbox.setMenuEnabled(False)
        self.viewbox.setDefaultPadding(0.0)
        self.getPlotItem().hideButtons()
        self.chosen = QGraphicsRectItem()
        pen = QPen(QColor(0, 0, 0))
        pen.setCosmetic(True)
        pen.setWidth(2)
        self.chosen.setPen(pen)
        self.chosen.setZValue(10)
        self.chosen.hide()
        self.viewbox.addItem(self.chosen)
        self.setToolTip("")
        self.scene().sigMouseMoved.connect(self._on_hover)
        self.scene().sigMouseClicked.connect(self._on_click)

    def set_pairs(self, pairs: ClassPairs | None, normalised: bool = False) -> None:
        """Draw ``pairs`` (None: nothing), shaded by count or, with ``normalised``, by share of row."""
        self.pairs, self.normalised = pairs, normalised
        self.chosen.hide()
        names = list(pairs.classes) if pairs is not None else []
        self.left_axis.names = self.bottom_axis.names = names
        plot = self.getPlotItem()
        plot.setLabel("left", pairs.first_name if pairs is not None else "")
        plot.setLabel("bottom", pairs.second_name if pairs is not None else "")
        if pairs is None or not names:
            self.image.clear()
            return
        self.image.setImage(heat_rgba(pairs.counts, normalised), autoLevels=False)
        self.image.setRect(QRectF(0, 0, len(names), len(names)))
        k = float(len(names))
        self.viewbox.setLimits(xMin=0, xMax=k, yMin=0, yMax=k, minXRange=min(k, 3), minYRange=min(k, 3))
        self.viewbox.setRange(xRange=(0, k), yRange=(0, k), padding=0)

    def set_normalised(self, normalised: bool) -> None:
        """Shade by each cell's share of its row (True) or by count."""
        if self.pairs is not None and normalised != self.normalised:
            self.normalised = normalised
            self.image.setImage(heat_rgba(self.pairs.counts, normalised), autoLevels=False)

    def show_chosen(self, first: int, second: int) -> None:
        """Outline cell (``first``, ``second``)."""
        self.chosen.setRect(QRectF(second, first, 1, 1))
        self.chosen.show()

    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """The (first, second) cell under a scene position, or None outside the matrix."""
        if self.pairs is None or not self.viewbox.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.viewbox.mapSceneToView(scene_pos)
        k = len(self.pairs.classes)
        first, second = math.floor(point.y()), math.floor(point.x())
        if 0 <= first < k and 0 <= second < k:
            return first, second
        return None

    def cell_centre(self, first: int, second: int) -> QPointF:
        """The widget position of a cell's centre (where a person points at it)."""
        scene = self.viewbox.mapViewToScene(QPointF(second + 0.5, first + 0.5))
        return QPointF(self.mapFromScene(scene))

    def _on_hover(self, scene_pos: QPointF) -> None:
        cell = self.cell_at(scene_pos)
        if cell is None or self.pairs is None:
            QToolTip.hideText()
            return
        text = self.pairs.describe(*cell)
        if self.normalised:
            total = int(self.pairs.counts[cell[0]].sum())
            text += f" ({self.pairs.counts[cell] / max(total, 1):.0%} of {self.pairs.classes[cell[0]]})"
        global_pos = self.viewport().mapToGlobal(self.mapFromScene(scene_pos))
        QToolTip.showText(global_pos, text, self)

    def _on_click(self, event: object) -> None:
        button = event.button()  # type: ignore[attr-defined]
        if button != Qt.MouseButton.LeftButton or event.double():  # type: ignore[attr-defined]
            return
        cell = self.cell_at(event.scenePos())  # type: ignore[attr-defined]
        if cell is not None:
            self.cellClicked.emit(*cell)
