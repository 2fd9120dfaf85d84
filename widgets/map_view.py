"""The map: a 2-D scatter of the rows, coloured by label, prediction, correctness or cluster.

Stays interactive at a million points: below :data:`POINT_LIMIT` visible points it draws points; above
it draws a density image (mean colour per pixel, opacity by log count) rasterised once per colouring,
so a pan or zoom only moves an image. A selection there is a second density image of the selected
rows over a faded first one (rasterised once per selection, ~10 ms for 100k rows), not 20,000 outlined
points (~400 ms to set). Rectangle (R) and lasso (L) selection write the shared selection.
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

from analysis.map.colouring import CATEGORY_MODES, COLOUR_MODES, colour_columns
from analysis.map.geometry import PointIndex, density_rgba, points_in_polygon, robust_extent
from analysis.map_paint import DENSITY_ABOVE, MapPaint, paint_colours, paint_map
from analysis.palette import REST, LegendEntry
from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame
from widgets.map_legend import MapLegend
from widgets.map_plot import MapPlot
from widgets.map_toolbar import MapToolbar
from widgets.select_viewbox import SelectViewBox

POINT_LIMIT = DENSITY_ABOVE
PAINT_HERE = 100_000  # up to this many rows a colouring is painted in the GUI thread (< 30 ms)
# Runs ``work`` elsewhere (a job) and hands its paint to the callback in the GUI thread.
PaintRunner = Callable[[Callable[[], MapPaint], Callable[[MapPaint], None]], None]
OUTLINED = 2_000  # in the density view, selected points in view are also outlined up to this many
FADED = 0.25  # the density image's opacity under a selection (points: alpha 45 of 255)


class MapView(QWidget):
    """The map view; reads and writes the shared :class:`SelectionModel`.

    Attributes
    ----------
    paint_runner : PaintRunner or None
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
        self._codes = np.zeros(0, np.int64)
        self._brushes = np.empty(0, dtype=object)
        self._dim_brushes = np.empty(0, dtype=object)
        self._legend_values: pl.Series | None = None
        self._paint: MapPaint | None = None
        self.paint_runner: PaintRunner | None = None  # paints colourings of big maps off the GUI thread
        self._faded: NDArray[np.uint8] | None = None  # the paint's density image, faded (cached)
        self._extra: dict[str, tuple[pl.Series, NDArray[np.uint8], list[LegendEntry], object]] = {}
        self._selected = np.zeros(0, dtype=bool)
        self._emphasis = np.zeros(0, dtype=bool)  # rows drawn on top, larger, outlined (a tag's rows)
        self._index = PointIndex(self.coords)
        self.visible_count = 0

        self.toolbar = MapToolbar()
        self.colour_box, self.status = self.toolbar.colour_box, self.toolbar.status
        self.colour_box.currentIndexChanged.connect(self._on_colour_box)
        self.toolbar.toolChosen.connect(self.set_select_mode)

        self.viewbox = SelectViewBox()
        self.plot = MapPlot(viewBox=self.viewbox, background="w")
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.viewbox.setAspectLocked(True)
        self.density = pg.ImageItem(axisOrder="row-major")
        self.selected_density = pg.ImageItem(axisOrder="row-major")  # the selected rows, over it
        self.overlay = pg.ImageItem(axisOrder="row-major")
        self.overlay.setZValue(-1)
        self.points = pg.ScatterPlotItem(pxMode=True, size=6, pen=None)
        self.emphasis = pg.ScatterPlotItem(pxMode=True, size=8, pen=pg.mkPen((40, 40, 40), width=0.8))
        self.highlight = pg.ScatterPlotItem(
            pxMode=True, size=9, pen=pg.mkPen((0, 0, 0, 170), width=1.0), brush=None
        )
        # Drawn in this order: a tag's rows above the rest, the selection above everything.
        for z, item in enumerate((self.points, self.emphasis, self.highlight)):
            item.setZValue(z)
        for item in (
            self.overlay,
            self.density,
            self.selected_density,
            self.points,
            self.emphasis,
            self.highlight,
        ):
            self.plot.addItem(item)
        self.viewbox.sigRangeChanged.connect(self._on_range)
        self._size = 0.0
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
        kept = self._paint if same_map else None
        self.frame = frame
        self._extra.clear()
        self.overlay.clear()
        self.colour_box.blockSignals(True)
        self.colour_box.clear()
        coords = frame.coords if frame is not None else None
        self.coords = coords if frame is not None and coords is not None else np.zeros((0, 2), np.float32)
        if not same_map:
            self._index = PointIndex(self.coords)
        self._paint = self._faded = None
        if frame is None or coords is None:
            self._selected = np.zeros(0, dtype=bool)
            self.points.clear()
            self.highlight.clear()
            self.density.clear()
            self.selected_density.clear()
            self.legend.clear()
            why = "no map yet: run the pipeline (Ctrl+R)" if frame is not None else ""
            if frame is not None and frame.text_column is None:
                why = "no map: this dataset has no text column"
            self.status.setText(why)
            self.colour_box.blockSignals(False)
            return
        self._selected = np.zeros(len(coords), dtype=bool)
        for mode in colour_columns(frame):
            self.colour_box.addItem(COLOUR_MODES[mode], mode)
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
            self._paint = kept  # on screen already: the points, images and legend stay
            self.colourModeChanged.emit(mode)
        elif paint is not None and fits and not self._hidden.get(mode):
            self._show(paint)
        else:
            if not same_map:  # nothing of the last map stays on screen while this one is painted
                for item in (self.points, self.emphasis, self.highlight, self.density, self.selected_density):
                    item.clear()
            self.set_colour_mode(mode)
        if not same_map:
            self.fit()

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
        return self._paint.mode if self._paint is not None else ""

    def _show(self, paint: MapPaint) -> None:
        """Draw ``paint`` (the colouring of the mode chosen in the box): points, density, legend."""
        mode = paint.mode
        extra = self._extra.get(mode)
        self.overlay.clear()
        if extra is not None and extra[3] is not None:
            rgba, (x0, y0, x1, y1) = extra[3]  # type: ignore[misc]
            self.overlay.setImage(rgba, autoLevels=False)
            self.overlay.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self._paint, self._faded = paint, None
        self._legend_values, self._emphasis = paint.values, paint.emphasis
        self._set_colours(paint)
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

    def _set_colours(self, paint: MapPaint) -> None:
        rgba, self._codes, self._colours = paint.palette, paint.codes, paint.colours
        self._brushes = np.array([pg.mkBrush(*map(int, c)) for c in rgba] + [None], dtype=object)[:-1]
        self._dim_brushes = np.array(
            [pg.mkBrush(int(c[0]), int(c[1]), int(c[2]), 45) for c in rgba] + [None], dtype=object
        )[:-1]
        if paint.density is not None and paint.extent is not None:
            x0, y0, x1, y1 = paint.extent
            self.density.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self.selected_density.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        else:
            self.density.clear()
        self._draw_selection()
        self._refresh_points()

    def _draw_selection(self) -> None:
        """In the density view, draw the selected rows as their own density image over the faded
        image of every row (the whole image when nothing is selected)."""
        paint = self._paint
        if paint is None or paint.density is None or paint.extent is None:
            self.selected_density.clear()
            return
        rows = np.flatnonzero(self._selected) if len(self._selected) == len(self.coords) else []
        if not len(rows):
            self.density.setImage(paint.density, autoLevels=False)
            self.selected_density.clear()
            return
        if self._faded is None:
            self._faded = paint.density.copy()
            self._faded[..., 3] = (paint.density[..., 3] * FADED).astype(np.uint8)
        self.density.setImage(self._faded, autoLevels=False)
        shape = paint.density.shape[:2]
        image = density_rgba(self.coords[rows], paint.colours[rows], paint.extent, (shape[0], shape[1]))
        self.selected_density.setImage(image, autoLevels=False)

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
        if frame is self.frame and self.colour_mode() == "cluster":
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
    def visible_mask(self) -> NDArray[np.bool_]:
        """Which points lie inside the current view rectangle."""
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        c = self.coords
        return (c[:, 0] >= x0) & (c[:, 0] <= x1) & (c[:, 1] >= y0) & (c[:, 1] <= y1)

    def _on_range(self, *_: object) -> None:
        # Below POINT_LIMIT every point is drawn whatever the range: redraw only when the size changes.
        if len(self.coords) > POINT_LIMIT or abs(self.point_size() - self._size) >= 0.5:
            self._refresh_points()

    def point_size(self, visible: int | None = None) -> float:
        """Point diameter in pixels: larger when few points share the view (zoomed in, small data),
        so a map of 3,000 rows is not a cloud of specks and one of 20,000 does not become a blot.
        ``visible``: how many points are in view, when the caller has counted them."""
        width, height = self.viewbox.width(), self.viewbox.height()
        if visible is None:
            visible = int(self.visible_mask().sum()) if len(self.coords) else 1
        return float(np.clip(0.75 * np.sqrt(max(width * height, 1.0) / max(visible, 1)), 3.0, 11.0))

    def _refresh_points(self, *_: object) -> None:
        if len(self.coords) == 0 or len(self._codes) != len(self.coords):
            return
        in_view = self.visible_mask() if len(self.coords) > POINT_LIMIT else None
        if in_view is None:
            shown = np.arange(len(self.coords))
            size = self.point_size()
        else:
            shown = np.flatnonzero(in_view)
            size = self.point_size(shown.size)
            if shown.size > POINT_LIMIT:
                shown = shown[:0]
        self.visible_count = int(shown.size)
        self._size = size
        any_selected = bool(self._selected.any())
        table = self._dim_brushes if any_selected else self._brushes
        emphasised = (
            self._emphasis[shown] if len(self._emphasis) == len(self.coords) else np.zeros(shown.size, bool)
        )
        for item, rows in ((self.points, shown[~emphasised]), (self.emphasis, shown[emphasised])):
            brushes = table[self._codes[rows]]
            if any_selected:
                brushes[self._selected[rows]] = self._brushes[self._codes[rows][self._selected[rows]]]
            grow = 3 if item is self.emphasis else 0
            item.setData(
                x=self.coords[rows, 0], y=self.coords[rows, 1], brush=list(brushes), size=size + grow
            )
        chosen = shown[self._selected[shown]] if any_selected else shown[:0]
        if in_view is not None and any_selected and shown.size == 0:
            # the density view draws the selection as an image; a few points are outlined as well,
            # so that one clicked row can be found
            visible_selected = np.flatnonzero(self._selected & in_view)
            chosen = visible_selected if visible_selected.size <= OUTLINED else shown[:0]
        self.highlight.setData(x=self.coords[chosen, 0], y=self.coords[chosen, 1], size=size + 3)
        density = in_view is not None and not shown.size
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
        self._selected = np.zeros(len(self.coords), dtype=bool)
        if len(self.coords):
            self._selected[row_ids[row_ids < len(self.coords)]] = True
        self._draw_selection()
        self._refresh_points()

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
