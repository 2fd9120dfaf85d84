"""What the map draws for one colouring, computed without Qt so it can run in a job.

At a million rows a colouring costs about 250 ms (the colours, the palette codes the point brushes are
picked by, the density image); the window computes the first one with the version's frame, off the GUI
thread, and the map only puts it on screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.map.colouring import map_colouring
from analysis.map.geometry import colour_codes, density_rgba, padded_extent
from analysis.palette import LegendEntry
from analysis.view_frame import ViewFrame

DENSITY_ABOVE = 20_000  # more points than this in view: the map draws the density image
DENSITY_SHAPE = (768, 768)


@dataclass(frozen=True)
class MapPaint:
    """One colouring of the map, ready to draw.

    Attributes
    ----------
    mode : str
        The colouring (``label``, ``cluster``, ``tag:<name>``, a drift side…).
    values : polars.Series or None
        One value per row: what a legend entry selects by.
    colours : numpy.ndarray
        uint8 (n, 4) RGBA per row.
    legend : list of LegendEntry
    emphasis : numpy.ndarray
        bool (n,): rows drawn on top, larger and outlined.
    palette : numpy.ndarray
        uint8 (k, 4): the distinct colours, sorted by their packed value.
    codes : numpy.ndarray
        int64 (n,): each row's index into ``palette``.
    extent : tuple of float or None
        (x_min, y_min, x_max, y_max) of ``density``; None with no density.
    density : numpy.ndarray or None
        uint8 (h, w, 4) density image (:func:`analysis.map.geometry.density_rgba`), row 0 at y_min;
        None when there are at most :data:`DENSITY_ABOVE` points.
    """

    mode: str
    values: pl.Series | None
    colours: NDArray[np.uint8]
    legend: list[LegendEntry]
    emphasis: NDArray[np.bool_]
    palette: NDArray[np.uint8]
    codes: NDArray[np.int64]
    extent: tuple[float, float, float, float] | None
    density: NDArray[np.uint8] | None


def paint_colours(
    coords: NDArray[np.floating],
    mode: str,
    values: pl.Series | None,
    colours: NDArray[np.uint8],
    legend: list[LegendEntry],
    emphasis: NDArray[np.bool_] | None = None,
    density_above: int = DENSITY_ABOVE,
    shape: tuple[int, int] = DENSITY_SHAPE,
) -> MapPaint:
    """A :class:`MapPaint` of given per-row ``colours`` (uint8 (n, 4)) on float (n, 2) ``coords``:
    the palette codes, and the density image when n > ``density_above``."""
    palette, codes = colour_codes(colours)
    extent = density = None
    if len(coords) > density_above:
        extent = padded_extent(coords)
        density = density_rgba(coords, colours, extent, shape)
    shown = emphasis if emphasis is not None else np.zeros(len(colours), dtype=bool)
    return MapPaint(mode, values, colours, legend, shown, palette, codes, extent, density)


def paint_map(
    frame: ViewFrame,
    mode: str,
    hidden: Iterable[object] = (),
    density_above: int = DENSITY_ABOVE,
    shape: tuple[int, int] = DENSITY_SHAPE,
) -> MapPaint:
    """Paint ``frame``'s map (which must have coordinates) coloured by ``mode``
    (:func:`analysis.map.colouring.map_colouring`, ``hidden`` values grey).

    Raises
    ------
    ValueError
        The frame has no map coordinates.
    """
    if frame.coords is None:
        raise ValueError(f"Version {frame.version_id} has no map to paint; run the pipeline first.")
    colouring = map_colouring(frame, mode, hidden)
    return paint_colours(
        frame.coords,
        mode,
        colouring.values,
        colouring.colours,
        colouring.legend,
        colouring.emphasis,
        density_above,
        shape,
    )
