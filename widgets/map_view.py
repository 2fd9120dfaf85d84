"""The map: a 2-D scatter of the rows, coloured by label, prediction, correctness or cluster.

Stays interactive at a million points: below ``POINT_LIMIT`` visible points it draws points; above it
draws a density image (mean colour per pixel, opacity by log count) rasterised once per colouring, so
a pan or zoom only moves an image (the drawing: :mod:`widgets.map_layers`). Colourings of big maps
are painted off the GUI thread (:attr:`MapView.paint_runner`). Rectangle (R) and lasso (L) selection
write the shared selection.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import polars as pl
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from analysis.map.colouring import CATEGORY_MODES, CLUSTER_MODES, colour_columns, mode_title
from analysis.map.geometry import PointIndex, points_in_polygon, robust_extent
from analysis.map_paint import MapPaint, paint_colours, paint_map
from analysis.palette import REST, LegendEntry
from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame
from widgets.map_layers import MapLayers
from widgets.map_legend import MapLegend
from widgets.map_plot import MapPlot
from widgets.map_toolbar import MapToolbar
from widgets.runner import Runner
from widgets.select_viewbox import SelectViewBox

PAINT_HERE = 100_000  # up to this many rows a colouring is painted in the GUI thread (< 30 ms)


class MapView(QWidget):
    """The map view; reads and writes the shared :class:`SelectionModel`.

    Attributes
    ----------
    paint_runner : widgets.runner.Runner or None
        Paints the colourings of maps over :data:`PAINT_HERE` rows elsewhere (the window's job
        runner); None paints them here.
    """

    colourModeChanged = Signal(str)
    rowActivated = Signal(int)  # a point was double-clicked: open its row
    exportRequested = Signal()  # export the selection
    tagRequested = Signal()  # tag the selection with the chosen tag

    def __init__(self, selection: SelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.frame: ViewFrame | None = None
        self.coords = np.zeros((0, 2), np.float32)
        self._legend_values: pl.Series | None = None
        self.paint_runner: Runner | None = None  # paints colourings of big maps off the GUI thread
        self._extra: dict[str, tuple[pl.Series, NDArray[np.uint8], list[LegendEntry], object]] = {}
        self._index = PointIndex(self.coords)

        self.toolbar = MapToolbar()
        self.colour_box, self.status = self.toolbar.colour_box, self.toolbar.status
        self.colour_box.currentIndexChanged.connect(self._on_colour_box)
        self.toolbar.toolChosen.connect(self.set_select_mode)

        self.viewbox = SelectViewBox()
        self.plot = MapPlot(viewBox=self.viewbox, background="w")
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.viewbox.setAspectLocked(True)
        self.overlay = pg.ImageItem(axisOrder="row-major")  # a drift report's image, under the rest
        self.overlay.setZValue(-1)
        self.plot.addItem(self.overlay)
        self.layers = MapLayers(self.plot, self._show_status)
        layers = self.layers
        self.density, self.selected_density = layers.density, layers.selected_density
        self.points, self.emphasis, self.highlight = layers.points, layers.emphasis, layers.highlight
        self.viewbox.sigRangeChanged.connect(lambda *_: self.layers.on_range())
        self.viewbox.polygonSelected.connect(self.select_polygon)
        self._hover = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_hover)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.doubleClicked.connect(self._on_double_click)
        self.viewbox.setMenuEnabled(False)
        self.plot.contextMenuRequested.connect(self._context_menu)

        self.legend = MapLegend()
        self.legend.entryClicked.connect(self._on_legend_click)
        self.legend.hiddenChanged.connect(self._set_hidden)
        self._hidden: dict[str, set[object]] = {}
        body = QHBoxLayout()
        body.addWidget(self.plot, 1)
        body.addWidget(self.legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.toolbar)
        layout.addLayout(body, 1)
        self._unsubscribe = selection.subscribe(self._on_selection)

    # -- model --------------------------------------------------------------------------------
    def set_frame(
        self, frame: ViewFrame | None, colour_mode: str | None = None, paint: MapPaint | None = None
    ) -> None:
        """Show a version's map (or an empty map with the reason when it has no coordinates).

        ``paint``, the colouring ``colour_mode`` computed off the GUI thread
        (:func:`analysis.map_paint.paint_map`), is drawn as it is. The full frame of the version whose
        preview is shown (same version, same coordinates array) keeps the zoom, and keeps the paint
        when its colouring's values are the same.
        """
        same_map = (
            frame is not None
            and self.frame is not None
            and frame.version_id == self.frame.version_id
            and frame.coords is not None
            and frame.coords is self.frame.coords
        )
        kept = self.layers.paint if same_map else None
        self.frame = frame
        self._extra.clear()
        self.overlay.clear()
        self.colour_box.blockSignals(True)
        self.colour_box.clear()
        coords = frame.coords if frame is not None else None
        self.coords = coords if frame is not None and coords is not None else np.zeros((0, 2), np.float32)
        if not same_map:
            self._index = PointIndex(self.coords)
            self.layers.set_coords(self.coords)
            self.fit()  # before the paint, whose point size follows the zoom: the points are set once
        if frame is None or coords is None:
            self.layers.clear()
            self.legend.clear()
            why = "no map yet: run the pipeline (Ctrl+R)" if frame is not None else ""
            if frame is not None and frame.text_column is None:
                why = "no map: this dataset has no text column"
            self.status.setText(why)
            self.colour_box.blockSignals(False)
            return
        for mode in colour_columns(frame):
            self.colour_box.addItem(mode_title(frame, mode), mode)
        for tag in frame.tag_names():
            self.colour_box.addItem(f"Tag: {tag}", f"tag:{tag}")
        self.colour_box.blockSignals(False)
        wanted = colour_mode if colour_mode and self.colour_box.findData(colour_mode) >= 0 else None
        self.colour_box.blockSignals(True)
        self.colour_box.setCurrentIndex(max(self.colour_box.findData(wanted), 0) if wanted else 0)
        self.colour_box.blockSignals(False)
        mode = self.colour_box.currentData() or "label"
        if paint is None and kept is not None and kept.mode == mode:
            column = colour_columns(frame).get(mode)
            values = frame.rows[column] if column is not None else None
            if values is not None and kept.values is not None and values.equals(kept.values):
                paint = kept
        fits = paint is not None and paint.mode == mode and len(paint.codes) == len(coords)
        if paint is not None and paint is kept and not self._hidden.get(mode):
            self.colourModeChanged.emit(mode)  # on screen already: the points, images and legend stay
        elif paint is not None and fits and not self._hidden.get(mode):
            self._show(paint)
        else:
            if not same_map:  # nothing of the last map stays on screen while this one is painted
                self.layers.clear()
            self.set_colour_mode(mode)

    def colour_mode(self) -> str:
        """The current colouring (``label``, ``predicted``, ``correct`` or ``cluster``)."""
        return str(self.colour_box.currentData() or "")

    def set_colour_mode(self, mode: str) -> None:
        """Colour the points by ``mode`` and rebuild the legend and density image."""
        if self.frame is None or self.frame.coords is None:
            return
        index = self.colour_box.findData(mode)
        if index >= 0 and index != self.colour_box.currentIndex():
            self.colour_box.setCurrentIndex(index)  # re-enters through _on_colour_box
            return
        frame, coords, extra = self.frame, self.coords, self._extra.get(mode)
        work: Callable[[], MapPaint]
        if extra is not None:
            values, colours, legend, _image = extra
            work = partial(paint_colours, coords, mode, values, colours, legend)
        else:
            work = partial(paint_map, frame, mode, set(self._hidden.get(mode, ())))
        if self.paint_runner is None or len(coords) <= PAINT_HERE:
            self._show(work())
        else:
            self.paint_runner(work, lambda paint: self._painted(frame, paint))

    def _painted(self, frame: ViewFrame, paint: MapPaint) -> None:
        """A colouring painted elsewhere: drawn if the map still shows its frame and mode."""
        if frame is self.frame and paint.mode == self.colour_mode() and len(paint.codes) == len(self.coords):
            self._show(paint)

    def painted_mode(self) -> str:
        """The colouring drawn now ("" before the first); :meth:`colour_mode` may be ahead of it
        while a colouring is painted elsewhere."""
        return self.layers.paint.mode if self.layers.paint is not None else ""

    def _show(self, paint: MapPaint) -> None:
        """Draw ``paint`` (the colouring of the mode chosen in the box): points, density, legend."""
        mode = paint.mode
        extra = self._extra.get(mode)
        self.overlay.clear()
        if extra is not None and extra[3] is not None:
            rgba, (x0, y0, x1, y1) = extra[3]  # type: ignore[misc]
            self.overlay.setImage(rgba, autoLevels=False)
            self.overlay.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self._legend_values = paint.values
        self.layers.show(paint)
        self._fill_legend(paint.legend)
        self.colourModeChanged.emit(mode)

    def add_colouring(
        self,
        mode: str,
        title: str,
        values: pl.Series,
        colouring: tuple[NDArray[np.uint8], list[LegendEntry]],
        image: tuple[NDArray[np.uint8], tuple[float, float, float, float]] | None = None,
    ) -> None:
        """Offer a colouring computed elsewhere (a drift report's sides) and switch to it.

        ``values`` are what legend clicks select by; ``image`` (RGBA, row 0 at y0, and its extent
        x0, y0, x1, y1) is drawn under the points while this colouring is shown.
        """
        self._extra[mode] = (values, *colouring, image)
        if self.colour_box.findData(mode) < 0:
            self.colour_box.addItem(title, mode)
        self.set_colour_mode(mode)

    def _fill_legend(self, legend: list[LegendEntry]) -> None:
        mode = self.colour_mode()
        self.legend.set_entries(legend, self._hidden.get(mode, set()), mode in CATEGORY_MODES)

    def _set_hidden(self, values: set[object]) -> None:
        """Draw ``values`` of the current colouring grey (the rest in their colours)."""
        mode = self.colour_mode()
        self._hidden[mode] = set(values)
        self.set_colour_mode(mode)

    def fit(self) -> None:
        """Zoom to the bulk of the points (0.5th to 99.5th percentile on each axis, 4 % margin), so a
        few far-flung points do not shrink the map to a clump in the middle; pan to reach them."""
        if len(self.coords) == 0:
            return
        (x0, y0), (x1, y1) = robust_extent(self.coords)
        self.viewbox.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.04)

    def refresh_tags(self, frame: ViewFrame) -> None:
        """The version's tags changed: offer every tag in *Colour by* and redraw a tag colouring."""
        if frame is not self.frame or self.frame.coords is None:
            return
        mode = self.colour_mode()
        self.colour_box.blockSignals(True)
        for index in reversed(range(self.colour_box.count())):
            if str(self.colour_box.itemData(index)).startswith("tag:"):
                self.colour_box.removeItem(index)
        for tag in frame.tag_names():
            self.colour_box.addItem(f"Tag: {tag}", f"tag:{tag}")
        index = self.colour_box.findData(mode)
        self.colour_box.setCurrentIndex(max(index, 0))
        self.colour_box.blockSignals(False)
        self.set_colour_mode(self.colour_mode())

    def refresh_clusters(self, frame: ViewFrame) -> None:
        """Cluster names changed: redraw the legend when coloured by cluster."""
        if frame is self.frame and self.colour_mode() in CLUSTER_MODES:
            self.set_colour_mode("cluster")

    def _context_menu(self, where: QPoint) -> None:
        menu = QMenu(self)
        count = len(self.selection)
        for text, slot, enabled in (
            (f"Export {count:,} selected rows…", self.exportRequested.emit, count > 0),
            (f"Tag {count:,} selected rows", self.tagRequested.emit, count > 0),
            ("Clear selection", lambda: self.selection.clear(self), count > 0),
            ("Fit map to data", self.fit, True),
        ):
            action = menu.addAction(text)
            action.setEnabled(enabled)
            action.triggered.connect(lambda _=False, f=slot: f())
        self._menu = menu  # kept for tests, which cannot click a menu that exec() blocks on
        menu.popup(where)

    # -- drawing ------------------------------------------------------------------------------
    @property
    def visible_count(self) -> int:
        """How many points are drawn as points (0 in the density view)."""
        return self.layers.visible_count

    @property
    def _colours(self) -> NDArray[np.uint8]:
        return self.layers.colours

    def visible_mask(self) -> NDArray[np.bool_]:
        """Which points lie inside the current view rectangle."""
        return self.layers.visible_mask()

    def point_size(self) -> float:
        """Point diameter in pixels for the points now in view (:meth:`MapLayers.point_size`)."""
        return self.layers.point_size()

    def _show_status(self, density: bool) -> None:
        parts = [f"{len(self.coords):,} rows"]
        if len(self.selection):
            parts.append(f"{len(self.selection):,} selected")
        if density:
            parts.append("density view: zoom in to see points")
        self.status.setText(" · ".join(parts))

    # -- intents ------------------------------------------------------------------------------
    def set_select_mode(self, mode: str) -> None:
        """Switch the left-drag behaviour: ``pan``, ``rect`` or ``lasso``."""
        self.viewbox.mode = mode
        self.toolbar.show_tool(mode)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        keys = {Qt.Key.Key_R: "rect", Qt.Key.Key_L: "lasso", Qt.Key.Key_P: "pan", Qt.Key.Key_Escape: "pan"}
        if event.key() in keys:
            self.set_select_mode(keys[event.key()])
        else:
            super().keyPressEvent(event)

    def select_polygon(
        self, polygon: NDArray[np.floating], modifiers: Qt.KeyboardModifier | None = None
    ) -> None:
        """Select the points inside ``polygon`` (data coordinates); Shift adds, Ctrl removes."""
        self._select(np.flatnonzero(points_in_polygon(self.coords, polygon)), modifiers)

    def _select(self, rows: NDArray[np.integer], modifiers: Qt.KeyboardModifier | None) -> None:
        """Replace the selection with ``rows`` (row positions are ``_row_id``: rows are stored densely);
        with Shift add them to it, with Ctrl take them out of it."""
        current = self.selection.row_ids
        if modifiers is not None and modifiers & Qt.KeyboardModifier.ShiftModifier:
            rows = np.union1d(current, rows)
        elif modifiers is not None and modifiers & Qt.KeyboardModifier.ControlModifier:
            rows = np.setdiff1d(current, rows)
        self.selection.set(np.asarray(rows, dtype=np.int64), source=self)

    def _on_colour_box(self, _index: int) -> None:
        self.set_colour_mode(self.colour_mode())

    def _on_legend_click(self, value: object) -> None:
        values = self._legend_values
        if values is None:
            return
        mask = values.is_null() if value is REST else (values == value).fill_null(False)
        self.selection.set(np.flatnonzero(mask.to_numpy()), source=self)

    def _on_selection(self, row_ids: NDArray[np.int64], _source: object) -> None:
        selected = np.zeros(len(self.coords), dtype=bool)
        selected[row_ids[row_ids < len(self.coords)]] = True
        self.layers.select(selected)

    def row_at(self, scene_pos: QPointF) -> int | None:
        """The row whose point is under ``scene_pos`` (within 6 px), or None."""
        if (
            self.frame is None
            or len(self.coords) == 0
            or not self.plot.sceneBoundingRect().contains(scene_pos)
        ):
            return None
        point = self.viewbox.mapSceneToView(scene_pos)
        return self._index.nearest(point.x(), point.y(), 6 * self.viewbox.viewPixelSize()[0])

    def _on_hover(self, event: tuple[QPointF]) -> None:
        pos = event[0]
        row = self.row_at(pos)
        if row is None:
            QToolTip.hideText()
            return
        QToolTip.showText(
            self.plot.mapToGlobal(self.plot.mapFromScene(pos)), self.frame.describe_row(row), self.plot
        )

    def _on_double_click(self, scene_pos: QPointF) -> None:
        row = self.row_at(scene_pos)
        if row is not None:
            self.rowActivated.emit(row)

    def _on_click(self, event) -> None:  # type: ignore[no-untyped-def]
        """A click selects the point under it (Shift adds, Ctrl removes; empty space clears)."""
        if event.button() != Qt.MouseButton.LeftButton or self.frame is None or event.double():
            return
        row, modifiers = self.row_at(event.scenePos()), event.modifiers()
        if row is not None:
            self._select(np.array([row]), modifiers)
        elif not modifiers:
            self.selection.clear(self)
