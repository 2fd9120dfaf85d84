"""What the map draws: points (with a tag's rows and the selection outlined above them) below
:data:`POINT_LIMIT` points in view, above it the density image of a :class:`MapPaint`.

A selection in the density view is a second density image of the selected rows over a faded first
one, rasterised once per selection (~10 ms for 100k rows at a million), rather than 20,000 outlined
points (~400 ms to hand to pyqtgraph); up to :data:`OUTLINED` selected points in view are outlined as
well, so that one clicked row can be found.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRectF

from analysis.map.geometry import density_rgba
from analysis.map_paint import DENSITY_ABOVE, MapPaint

POINT_LIMIT = DENSITY_ABOVE
OUTLINED = 2_000
FADED = 0.25  # the density image's opacity under a selection (points: alpha 45 of 255)
DIM_ALPHA = 45  # points outside a selection


class MapLayers:
    """The map's drawn items on ``plot`` (a pyqtgraph plot whose view box gives the range).

    ``on_drawn(density)`` is called after each redraw of the points, with whether the density image
    stands for them (too many in view).
    """

    def __init__(self, plot: pg.PlotWidget, on_drawn: Callable[[bool], None]) -> None:
        self.viewbox = plot.getViewBox()
        self._on_drawn = on_drawn
        self.coords = np.zeros((0, 2), np.float32)
        self.paint: MapPaint | None = None
        self.selected = np.zeros(0, dtype=bool)
        self.visible_count = 0
        self.size = 0.0
        self._brushes = np.empty(0, dtype=object)
        self._dim_brushes = np.empty(0, dtype=object)
        self._faded: NDArray[np.uint8] | None = None  # the paint's density image, faded (cached)
        self.density = pg.ImageItem(axisOrder="row-major")
        self.selected_density = pg.ImageItem(axisOrder="row-major")  # the selected rows, over it
        self.points = pg.ScatterPlotItem(pxMode=True, size=6, pen=None)
        self.emphasis = pg.ScatterPlotItem(pxMode=True, size=8, pen=pg.mkPen((40, 40, 40), width=0.8))
        self.highlight = pg.ScatterPlotItem(
            pxMode=True, size=9, pen=pg.mkPen((0, 0, 0, 170), width=1.0), brush=None
        )
        # Drawn in this order: a tag's rows above the rest, the selection above everything.
        for z, item in enumerate((self.points, self.emphasis, self.highlight)):
            item.setZValue(z)
        for item in self._items():
            plot.addItem(item)

    def _items(self) -> tuple[pg.GraphicsObject, ...]:
        return (self.density, self.selected_density, self.points, self.emphasis, self.highlight)

    @property
    def colours(self) -> NDArray[np.uint8]:
        """uint8 (n, 4): each row's colour in the paint drawn (empty before one)."""
        return self.paint.colours if self.paint is not None else np.zeros((0, 4), np.uint8)

    def set_coords(self, coords: NDArray[np.float32]) -> None:
        """Points to draw from now on (float32 (n, 2)); nothing is drawn until :meth:`show`."""
        self.coords = coords
        self.selected = np.zeros(len(coords), dtype=bool)
        self.paint = self._faded = None

    def clear(self) -> None:
        """Draw nothing."""
        for item in self._items():
            item.clear()

    def show(self, paint: MapPaint) -> None:
        """Draw ``paint`` (its codes index the coordinates given to :meth:`set_coords`)."""
        self.paint, self._faded = paint, None
        rgba = paint.palette
        self._brushes = np.array([pg.mkBrush(*map(int, c)) for c in rgba] + [None], dtype=object)[:-1]
        self._dim_brushes = np.array(
            [pg.mkBrush(int(c[0]), int(c[1]), int(c[2]), DIM_ALPHA) for c in rgba] + [None], dtype=object
        )[:-1]
        if paint.density is None or paint.extent is None:
            self.density.clear()
        self._draw_selection()
        self.refresh()

    def select(self, selected: NDArray[np.bool_]) -> None:
        """Draw the rows where bool (n,) ``selected`` is True as selected."""
        unchanged = not selected.any() and not self.selected.any()
        self.selected = selected
        if unchanged:  # clearing an empty selection (every version shown does) redraws nothing
            return
        self._draw_selection()
        self.refresh()

    def _draw_selection(self) -> None:
        """In the density view, draw the selected rows as their own density image over the faded
        image of every row (the whole image when nothing is selected)."""
        paint = self.paint
        if paint is None or paint.density is None or paint.extent is None:
            self.selected_density.clear()
            return
        rows = np.flatnonzero(self.selected) if len(self.selected) == len(self.coords) else []
        if not len(rows):
            self._place(self.density, paint.density, paint.extent)
            self.selected_density.clear()
            return
        if self._faded is None:
            self._faded = paint.density.copy()
            self._faded[..., 3] = (paint.density[..., 3] * FADED).astype(np.uint8)
        self._place(self.density, self._faded, paint.extent)
        height, width = paint.density.shape[:2]
        image = density_rgba(self.coords[rows], paint.colours[rows], paint.extent, (height, width))
        self._place(self.selected_density, image, paint.extent)

    @staticmethod
    def _place(item: pg.ImageItem, image: NDArray[np.uint8], extent: tuple[float, ...]) -> None:
        """Show ``image`` over ``extent`` (x0, y0, x1, y1) in data coordinates. The image goes first:
        ``setRect`` scales by the size of the image the item holds when it is called."""
        item.setImage(image, autoLevels=False)
        x0, y0, x1, y1 = extent
        item.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def visible_mask(self) -> NDArray[np.bool_]:
        """Which points lie inside the current view rectangle."""
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        c = self.coords
        return (c[:, 0] >= x0) & (c[:, 0] <= x1) & (c[:, 1] >= y0) & (c[:, 1] <= y1)

    def on_range(self) -> None:
        """The view moved: redraw what is in view (below POINT_LIMIT every point is drawn whatever
        the range, so only a change of point size redraws)."""
        if len(self.coords) > POINT_LIMIT or abs(self.point_size() - self.size) >= 0.5:
            self.refresh()

    def point_size(self, visible: int | None = None) -> float:
        """Point diameter in pixels: larger when few points share the view (zoomed in, small data),
        so a map of 3,000 rows is not a cloud of specks and one of 20,000 does not become a blot.
        ``visible``: how many points are in view, when the caller has counted them."""
        width, height = self.viewbox.width(), self.viewbox.height()
        if visible is None:
            visible = int(self.visible_mask().sum()) if len(self.coords) else 1
        return float(np.clip(0.75 * np.sqrt(max(width * height, 1.0) / max(visible, 1)), 3.0, 11.0))

    def refresh(self) -> None:
        """Redraw the points in view (or none, in the density view) with the selection."""
        paint = self.paint
        if len(self.coords) == 0 or paint is None or len(paint.codes) != len(self.coords):
            return
        codes, coords = paint.codes, self.coords
        in_view = self.visible_mask() if len(coords) > POINT_LIMIT else None
        if in_view is None:
            shown = np.arange(len(coords))
            size = self.point_size()
        else:
            shown = np.flatnonzero(in_view)
            size = self.point_size(shown.size)
            if shown.size > POINT_LIMIT:
                shown = shown[:0]
        self.visible_count, self.size = int(shown.size), size
        selected = self.selected if len(self.selected) == len(coords) else np.zeros(len(coords), bool)
        any_selected = bool(selected.any())
        table = self._dim_brushes if any_selected else self._brushes
        emphasis = paint.emphasis
        emphasised = emphasis[shown] if len(emphasis) == len(coords) else np.zeros(shown.size, bool)
        for item, rows in ((self.points, shown[~emphasised]), (self.emphasis, shown[emphasised])):
            brushes = table[codes[rows]]
            if any_selected:
                brushes[selected[rows]] = self._brushes[codes[rows][selected[rows]]]
            grow = 3 if item is self.emphasis else 0
            item.setData(x=coords[rows, 0], y=coords[rows, 1], brush=list(brushes), size=size + grow)
        chosen = shown[selected[shown]] if any_selected else shown[:0]
        if in_view is not None and any_selected and shown.size == 0:
            visible_selected = np.flatnonzero(selected & in_view)
            chosen = visible_selected if visible_selected.size <= OUTLINED else shown[:0]
        self.highlight.setData(x=coords[chosen, 0], y=coords[chosen, 1], size=size + 3)
        self._on_drawn(in_view is not None and not shown.size)
