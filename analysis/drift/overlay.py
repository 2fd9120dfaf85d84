"""A drift report drawn on the map: rows coloured by side (reference, current, both) and the
difference of the two sides' densities as a diverging image (orange: denser in current rows, blue:
denser in reference rows). The same two colours mark the sides in the drift view's charts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.drift.report import DriftResult
from analysis.palette import PALE, RGBA, LegendEntry
from storage.errors import InputError

REFERENCE: RGBA = (31, 119, 180, 255)
CURRENT: RGBA = (255, 127, 14, 255)
BOTH: RGBA = (148, 103, 189, 255)
SIDE_COLOURS: dict[str, RGBA] = {
    "reference only": REFERENCE,
    "current only": CURRENT,
    "both": BOTH,
    "neither": PALE,
}


def side_values(n: int, reference_rows: NDArray[np.int64], current_rows: NDArray[np.int64]) -> pl.Series:
    """Which side each of the map's ``n`` rows belongs to.

    Parameters
    ----------
    n : int
        Rows of the anchor version's map.
    reference_rows, current_rows : numpy.ndarray
        int64 anchor rows each side's rows were placed on (a row of another version counts for the
        map row it was placed on); -1 (unplaced) is ignored.

    Returns
    -------
    polars.Series
        String (n,) named ``drift side``: one of the keys of :data:`SIDE_COLOURS`.
    """
    in_ref, in_cur = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    in_ref[reference_rows[reference_rows >= 0]] = True
    in_cur[current_rows[current_rows >= 0]] = True
    names = np.array(list(SIDE_COLOURS))
    return pl.Series(
        "drift side", names[np.where(in_ref & in_cur, 2, np.where(in_cur, 1, np.where(in_ref, 0, 3)))]
    )


def side_colours(values: pl.Series) -> tuple[NDArray[np.uint8], list[LegendEntry]]:
    """uint8 RGBA (n, 4) per row of :func:`side_values` and the legend, in :data:`SIDE_COLOURS` order
    with each side's row count."""
    colours = np.empty((len(values), 4), dtype=np.uint8)
    legend = []
    for name, rgba in SIDE_COLOURS.items():
        mask = (values == name).to_numpy()
        colours[mask] = rgba
        legend.append(LegendEntry(name, rgba, int(mask.sum()), name))
    return colours, legend


def difference_rgba(density: NDArray[np.floating], opacity: int = 230) -> NDArray[np.uint8]:
    """A diverging uint8 RGBA image (h, w, 4) of a difference density (h, w): orange where positive,
    blue where negative, opacity growing with the magnitude (scaled to the 99th percentile of the
    magnitude, so one dense cell does not wash out the rest)."""
    scale = float(np.quantile(np.abs(density), 0.99)) or 1.0
    strength = np.clip(np.abs(density) / scale, 0.0, 1.0)
    image = np.empty((*density.shape, 4), dtype=np.uint8)
    image[...] = REFERENCE
    image[density > 0] = CURRENT
    image[..., 3] = (strength * opacity).astype(np.uint8)
    return image


@dataclass(frozen=True)
class DriftOverlay:
    """A report's sides on its anchor version's map, ready to draw.

    Attributes
    ----------
    version_id : int
        The anchor version whose map it belongs on.
    values : polars.Series
        String (n,) side of each map row (:func:`side_values`).
    colours : numpy.ndarray
        uint8 RGBA (n, 4).
    legend : list of LegendEntry
    image : numpy.ndarray or None
        uint8 RGBA (96, 96, 4) difference density (:func:`difference_rgba`), row 0 at ``extent``'s y0.
    extent : tuple of float or None
        (x0, y0, x1, y1) the image covers, in map coordinates.
    """

    version_id: int
    values: pl.Series
    colours: NDArray[np.uint8]
    legend: list[LegendEntry]
    image: NDArray[np.uint8] | None
    extent: tuple[float, float, float, float] | None


def drift_overlay(result: DriftResult, rows: int) -> DriftOverlay:
    """The overlay of ``result`` on its anchor version's map of ``rows`` rows.

    Raises
    ------
    InputError
        When the report placed no rows on a map (no anchor version).
    """
    if result.anchor_version is None or result.reference_anchor is None or result.current_anchor is None:
        raise InputError("This drift report placed no rows on a map; compute it with a version shown.")
    values = side_values(rows, result.reference_anchor, result.current_anchor)
    colours, legend = side_colours(values)
    image = None
    if result.density is not None and result.extent is not None:
        image = difference_rgba(result.density)
    return DriftOverlay(result.anchor_version, values, colours, legend, image, result.extent)
