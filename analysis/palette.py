"""One colour per category for the whole project: the map, legends, charts, confusion matrix and slices.

A class keeps its colour wherever it appears (label or prediction, any version of any dataset) because
its colour comes from its place in the project's class order (:func:`class_order`), never from how
often it occurs in what is shown. A cluster's colour comes from its id. The colours are Glasbey's
categorical palette (``colorcet.glasbey_bw_minc_20_maxl_70``: 256 colours chosen to be maximally
distinct, none grey and none too light for a white background), so grey means only noise or "other".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import colorcet
import numpy as np
import polars as pl
from numpy.typing import NDArray

RGBA = tuple[int, int, int, int]

PALETTE: NDArray[np.uint8] = np.array(
    [(*(round(c * 255) for c in rgb), 255) for rgb in colorcet.glasbey_bw_minc_20_maxl_70], dtype=np.uint8
)
# Beyond about this many categories neighbouring Glasbey colours are hard to tell apart on a map
# (Glasbey et al. 2007 report ~30 clearly distinct colours); the legend says so past it.
DISTINCT = 32
GREY: RGBA = (150, 150, 150, 255)  # "other": values not shown in colour
NOISE: RGBA = (170, 170, 170, 110)  # HDBSCAN noise, drawn faintly
PALE: RGBA = (205, 205, 205, 255)  # rows outside a highlighted group
RIGHT: RGBA = (46, 160, 67, 255)
WRONG: RGBA = (214, 39, 40, 255)


def palette_colour(index: int) -> RGBA:
    """The RGBA colour of category ``index`` (wraps after 256)."""
    r, g, b, a = PALETTE[int(index) % len(PALETTE)]
    return (int(r), int(g), int(b), int(a))


def class_order(label_lists: Iterable[Sequence[str]]) -> list[str]:
    """Every class name in first-seen order across ``label_lists`` (e.g. each version's and run's
    classes, oldest first): a class's index, and so its colour, never changes as versions are added."""
    seen: dict[str, None] = {}
    for names in label_lists:
        for name in names:
            seen.setdefault(str(name), None)
    return list(seen)


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: display name, colour, row count and the value it stands for.

    ``value`` is :data:`REST` for the entry that gathers every value not drawn in its own colour.
    """

    name: str
    rgba: RGBA
    count: int
    value: object


REST = object()


def colour_index(value: object, order: dict[object, int]) -> int:
    """Index of ``value`` in the palette: its place in ``order``, else its own value when it is an
    integer (cluster ids), else a stable hash of its text."""
    if value in order:
        return order[value]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    text = str(value).encode()
    return len(order) + int.from_bytes(hashlib.blake2s(text, digest_size=4).digest(), "big")


def categorical_colours(
    values: pl.Series,
    order: Sequence[object] = (),
    noise: object = None,
    hidden: Iterable[object] = (),
) -> tuple[NDArray[np.uint8], list[LegendEntry]]:
    """Colour each row by its category, with the project-wide colour of that category.

    Parameters
    ----------
    values : polars.Series
        One category per row, length n (any dtype; null is drawn as "other").
    order : sequence
        The project's category order (:func:`class_order` for classes); a value's colour is
        ``PALETTE[order.index(value)]``. Integers not in it (cluster ids) use their own value.
    noise : object, optional
        A value drawn faintly grey with its own "noise" entry (HDBSCAN's -1).
    hidden : iterable
        Values the user chose not to show in colour: drawn grey, listed after the shown ones.

    Returns
    -------
    colours : numpy.ndarray
        uint8 (n, 4) RGBA.
    legend : list of LegendEntry
        Shown categories by decreasing count, then hidden ones, then "(missing)" (nulls), then "noise".
    """
    lookup = {v: i for i, v in enumerate(order)}
    hidden_set = set(hidden)
    counts = values.value_counts(sort=True, name="n")
    pairs = [(v, n) for v, n in zip(counts[values.name].to_list(), counts["n"].to_list(), strict=True)]
    named = [(v, n) for v, n in pairs if v is not None and v != noise]
    rgba = [GREY if v in hidden_set else palette_colour(colour_index(v, lookup)) for v, _ in named]
    table = np.array([*rgba, GREY, NOISE], dtype=np.uint8).reshape(-1, 4)
    codes_of: dict[object, int] = {v: i for i, (v, _) in enumerate(named)}
    if noise is not None:
        codes_of[noise] = len(named) + 1
    codes = values.replace_strict(codes_of, default=len(named), return_dtype=pl.Int64).to_numpy()
    entries = [LegendEntry(str(v), c, int(n), v) for (v, n), c in zip(named, rgba, strict=True)]
    legend = [e for e in entries if e.value not in hidden_set] + [e for e in entries if e.value in hidden_set]
    nulls = int(values.null_count())
    if nulls:
        legend.append(LegendEntry("(missing)", GREY, nulls, REST))
    noise_count = int((values == noise).sum()) if noise is not None else 0
    if noise_count:
        legend.append(LegendEntry("noise", NOISE, noise_count, noise))
    return table[codes], legend


def boolean_colours(
    values: pl.Series,
    names: tuple[str, str] = ("correct", "misclassified"),
    colours: tuple[RGBA, RGBA] = (RIGHT, WRONG),
) -> tuple[NDArray[np.uint8], list[LegendEntry]]:
    """Colour rows by a boolean: ``colours[0]`` where true, ``colours[1]`` where false, grey where null.

    Returns uint8 (n, 4) RGBA and the two legend entries (true first).
    """
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


SCORE_BINS = 5


def binned_colours(values: pl.Series, bins: int = SCORE_BINS) -> tuple[NDArray[np.uint8], list[LegendEntry]]:
    """Colour a numeric column in ``bins`` equal-width bins of a perceptually uniform sequential map
    (colorcet's ``bmy``, low = dark blue, high = yellow); grey where null or NaN.

    Returns uint8 (n, 4) RGBA and one legend entry per bin (its range; ``value`` is the bin index).
    """
    x = values.cast(pl.Float64).fill_null(np.nan).to_numpy()
    out = np.empty((x.size, 4), dtype=np.uint8)
    out[:] = GREY
    known = ~np.isnan(x)
    if not known.any():
        return out, []
    low, high = float(x[known].min()), float(x[known].max())
    edges = np.linspace(low, high, bins + 1) if high > low else np.array([low, low + 1.0])
    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    cmap = colorcet.bmy
    legend = []
    for b in range(len(edges) - 1):
        rgb = cmap[round(b * (len(cmap) - 1) / max(len(edges) - 2, 1))]
        rgba: RGBA = (int(rgb[1:3], 16), int(rgb[3:5], 16), int(rgb[5:7], 16), 255)
        rows = known & (index == b)
        out[rows] = rgba
        legend.append(LegendEntry(f"{edges[b]:.3g} – {edges[b + 1]:.3g}", rgba, int(rows.sum()), b))
    return out, legend
