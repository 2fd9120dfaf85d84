"""How the map colours a version's rows: by label, prediction, correctness, either clustering or a tag.

The map view only draws what this returns, so the colours and counts it shows are computed where they
can be tested without a window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.palette import (
    PALE,
    REST,
    WRONG,
    LegendEntry,
    binned_colours,
    boolean_colours,
    categorical_colours,
)
from storage.generations import GENERATIVE

if TYPE_CHECKING:  # a type only: view_frame imports the error modes, which use the map's stages
    from analysis.view_frame import ViewFrame

COLOUR_MODES = {
    "label": "Label",
    "predicted": "Predicted label",
    "correct": "Correct / misclassified",
    "score": "Evaluator score",
    "run": "Best run (highest score)",
    "cluster": "Clusters (map, HDBSCAN)",
    "cluster_sphere": "Clusters (vectors, spherical k-means)",
}
CLUSTER_MODES = ("cluster", "cluster_sphere")  # each mode is its clustering's column in the frame
CATEGORY_MODES = ("label", "predicted", "run", *CLUSTER_MODES)  # legends with a tick box per category
PLAIN = (31, 119, 180, 255)


@dataclass(frozen=True)
class MapColouring:
    """A colouring of the map.

    Attributes
    ----------
    values : polars.Series or None
        One value per row (length n): what a legend entry selects by (its ``value``).
    colours : numpy.ndarray
        uint8 (n, 4) RGBA per row.
    legend : list of LegendEntry
    emphasis : numpy.ndarray
        bool (n,): rows drawn on top, larger and outlined (a tag's rows).
    """

    values: pl.Series | None
    colours: NDArray[np.uint8]
    legend: list[LegendEntry]
    emphasis: NDArray[np.bool_]


def colour_columns(frame: ViewFrame) -> dict[str, str]:
    """The built-in colourings a frame offers, mode → its column (a subset of :data:`COLOUR_MODES`):
    a clustering only when the frame has it."""
    columns = {"label": frame.label_column} if frame.label_column else {}
    present = ("predicted", "correct", *CLUSTER_MODES)
    columns |= {name: name for name in present if name in frame.rows.columns}
    if frame.score_column and frame.score_column in frame.rows.columns:
        columns["score"] = frame.score_column
    if len(frame.run_names()) > 1:
        columns["run"] = "best run"  # computed from every run's answers, not a column of the rows
    return {mode: columns[mode] for mode in COLOUR_MODES if mode in columns}


def mode_title(frame: ViewFrame, mode: str) -> str:
    """The colouring's name in the map's list: a generative run's verdicts are passed / failed."""
    if mode == "correct" and frame.run_kind == GENERATIVE:
        return "Passed / failed"
    return COLOUR_MODES[mode]


def map_colouring(frame: ViewFrame, mode: str, hidden: Iterable[object] = ()) -> MapColouring:
    """Colour a frame's rows by ``mode``: ``label``, ``predicted``, ``correct``, ``cluster`` (HDBSCAN
    on the map), ``cluster_sphere`` (spherical k-means on the vectors) or ``tag:<name>``; anything else
    draws every row in one colour.

    ``hidden`` values of a category mode are drawn grey (the legend's unticked entries). Classes take
    their project-wide colour (``frame.class_order``), clusters theirs by id, with their names.
    """
    n = frame.rows.height
    nothing = np.zeros(n, dtype=bool)
    if mode.startswith("tag:"):
        values = pl.Series(mode, frame.tag_mask(mode[4:]))
        colours, legend = boolean_colours(values, (mode[4:], "other rows"), (WRONG, PALE))
        return MapColouring(values, colours, legend, values.to_numpy().astype(bool))
    column = colour_columns(frame).get(mode)
    if column is None:
        return MapColouring(None, np.tile(np.array([PLAIN], np.uint8), (n, 1)), [], nothing)
    best = frame.best_run() if mode == "run" else None
    values = best if best is not None else frame.rows[column]
    if mode == "run":
        colours, legend = categorical_colours(values, [*frame.run_names(), "tie"], hidden=hidden)
    elif mode == "correct":
        generative = frame.run_kind == GENERATIVE
        colours, legend = boolean_colours(
            values, ("passed", "failed") if generative else ("correct", "misclassified")
        )
    elif mode == "score":
        colours, legend = binned_colours(values)
    elif mode in CLUSTER_MODES:
        names: dict[object, str] = {c.label: c.name for c in frame.cluster_list(mode)}
        colours, legend = categorical_colours(values, noise=-1, hidden=hidden)
        legend = [
            LegendEntry(names.get(e.value, e.name), e.rgba, e.count, e.value)
            if e.value is not REST and e.value != -1
            else e
            for e in legend
        ]
    else:
        colours, legend = categorical_colours(values, frame.class_order, hidden=hidden)
    return MapColouring(values, colours, legend, nothing)
