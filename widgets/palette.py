"""Colours of categories on the map: distinct hues for the most frequent, grey for the rest."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

GREY = (170, 170, 170, 255)
RIGHT = (46, 160, 67, 255)
WRONG = (214, 39, 40, 255)
# Tableau 10 first (readable, colour-blind aware), then golden-angle hues for more classes.
TABLEAU = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (188, 189, 34),
    (23, 190, 207),
    (127, 127, 127),
]


def category_colour(i: int) -> tuple[int, int, int, int]:
    """Return the RGBA colour of the i-th category."""
    if i < len(TABLEAU):
        return (*TABLEAU[i], 255)
    hue = (i * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.65 + 0.3 * ((i // 7) % 2), 0.85)
    return (int(r * 255), int(g * 255), int(b * 255), 255)


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: display name, colour, row count and the value it stands for.

    ``value`` is :data:`REST` for the grey entry that gathers every value not listed by itself.
    """

    name: str
    rgba: tuple[int, int, int, int]
    count: int
    value: object


REST = object()


def categorical_colours(
    values: pl.Series, max_named: int = 60, noise: object = None
) -> tuple[NDArray[np.uint8], list[LegendEntry]]:
    """Colour each row by its category.

    Parameters
    ----------
    values : polars.Series
        One category per row (any dtype; null is grey).
    max_named : int
        Categories beyond the most frequent ``max_named`` are grey.
    noise : object, optional
        A value drawn grey with the rest, its entry named "noise" (e.g. HDBSCAN's -1).

    Returns
    -------
    colours : numpy.ndarray
        uint8 (n, 4) RGBA.
    legend : list of LegendEntry
        Categories by decreasing count, then the grey rest.
    """
    counts = values.value_counts(sort=True, name="n")
    pairs = list(zip(counts[values.name].to_list(), counts["n"].to_list(), strict=True))
    named = [(v, n) for v, n in pairs if v is not None and v != noise][:max_named]
    lookup = {v: i for i, (v, _) in enumerate(named)}
    palette = np.array([category_colour(i) for i in range(len(lookup))] + [GREY], dtype=np.uint8)
    codes = values.replace_strict(lookup, default=len(lookup), return_dtype=pl.Int64).to_numpy()
    legend = [LegendEntry(str(v), category_colour(i), int(n), v) for i, (v, n) in enumerate(named)]
    rest = len(values) - sum(n for _, n in named)
    if rest:
        legend.append(LegendEntry("noise" if noise is not None else "other", GREY, rest, REST))
    return palette[codes], legend


PALE = (205, 205, 205, 255)


def boolean_colours(
    values: pl.Series,
    names: tuple[str, str] = ("correct", "misclassified"),
    colours: tuple[tuple[int, int, int, int], tuple[int, int, int, int]] = (RIGHT, WRONG),
) -> tuple[NDArray[np.uint8], list[LegendEntry]]:
    """Colour rows by a boolean: ``colours[0]`` where true, ``colours[1]`` where false, grey where null."""
    yes = values.eq(True).fill_null(False).to_numpy()
    no = values.eq(False).fill_null(False).to_numpy()
    out = np.empty((len(values), 4), dtype=np.uint8)
    out[:] = GREY
    out[yes] = colours[0]
    out[no] = colours[1]
    return out, [
        LegendEntry(names[0], colours[0], int(yes.sum()), True),
        LegendEntry(names[1], colours[1], int(no.sum()), False),
    ]
