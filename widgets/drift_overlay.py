"""A drift report drawn on the map: rows coloured by side (reference, current, both) and the
difference of the two sides' densities as a diverging image (orange: denser in current rows, blue:
denser in reference rows)."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.palette import PALE, LegendEntry

SIDE_COLOURS = {
    "reference only": (31, 119, 180, 255),
    "current only": (255, 127, 14, 255),
    "both": (148, 103, 189, 255),
    "neither": PALE,
}


def side_values(n: int, reference_rows: NDArray[np.int64], current_rows: NDArray[np.int64]) -> pl.Series:
    """Which side each of the map's ``n`` rows belongs to (a row of another version counts for the map
    row it was placed on)."""
    in_ref, in_cur = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    in_ref[reference_rows[reference_rows >= 0]] = True
    in_cur[current_rows[current_rows >= 0]] = True
    names = np.array(list(SIDE_COLOURS))
    return pl.Series(
        "drift side", names[np.where(in_ref & in_cur, 2, np.where(in_cur, 1, np.where(in_ref, 0, 3)))]
    )


def side_colours(values: pl.Series) -> tuple[NDArray[np.uint8], list[LegendEntry]]:
    """RGBA (n, 4) per row and the legend, in :data:`SIDE_COLOURS` order."""
    colours = np.empty((len(values), 4), dtype=np.uint8)
    legend = []
    for name, rgba in SIDE_COLOURS.items():
        mask = (values == name).to_numpy()
        colours[mask] = rgba
        legend.append(LegendEntry(name, rgba, int(mask.sum()), name))
    return colours, legend


def difference_rgba(density: NDArray[np.floating], opacity: int = 230) -> NDArray[np.uint8]:
    """A diverging RGBA image of a difference density: orange where positive, blue where negative,
    opacity growing with the magnitude (scaled to the 99th percentile, so one dense cell does not
    wash out the rest)."""
    scale = float(np.quantile(np.abs(density), 0.99)) or 1.0
    strength = np.clip(np.abs(density) / scale, 0.0, 1.0)
    image = np.empty((*density.shape, 4), dtype=np.uint8)
    image[...] = SIDE_COLOURS["reference only"]
    image[density > 0] = SIDE_COLOURS["current only"]
    image[..., 3] = (strength * opacity).astype(np.uint8)
    return image
