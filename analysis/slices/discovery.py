"""Slice discovery on a version: SliceLine over categorical columns, binned numbers, tags and clusters."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import polars as pl

from analysis.slices.filters import filter_table, tag_column
from analysis.slices.sliceline import SliceLineSpec, find_slices
from analysis.view_frame import ViewFrame

MAX_CATEGORIES = 200
NUMERIC_BINS = 5
SKIP = {"_row_id", "_row_key", "_content_hash", "predicted", "correct", "loss", "confidence", "margin"}
# Tags computed from the model's errors would "discover" the errors themselves.
TARGET_TAGS = ("misclassified", "low_margin", "high_loss", "label_issue", "error_cluster")


@dataclass(frozen=True)
class DiscoveredSlice:
    """A slice found by SliceLine, with the SQL that selects it."""

    where: str
    size: int
    error_rate: float
    score: float


def _features(table: pl.DataFrame, text_column: str | None) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Encode usable columns as codes; returns names, per-feature SQL predicates by code, code matrix."""
    names, predicates, columns = [], [], []
    for name, dtype in table.schema.items():
        if name in SKIP or name == text_column:
            continue
        series = table[name]
        if dtype.is_numeric() and series.n_unique() > MAX_CATEGORIES and dtype != pl.Boolean:
            edges = np.unique(
                np.nanquantile(series.cast(pl.Float64).to_numpy(), np.linspace(0, 1, NUMERIC_BINS + 1))
            )
            if edges.size < 3:
                continue
            values = series.cast(pl.Float64).to_numpy()
            codes = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, edges.size - 2)
            codes = np.where(np.isnan(values), -1, codes)
            last = edges.size - 2
            preds = [
                f'"{name}" >= {float(lo)!r} AND "{name}" {"<=" if i == last else "<"} {float(hi)!r}'
                for i, (lo, hi) in enumerate(pairwise(edges))
            ]
        else:
            if series.n_unique() > MAX_CATEGORIES:
                continue
            values_list = series.to_list()
            levels = sorted({v for v in values_list if v is not None}, key=str)
            index = {v: i for i, v in enumerate(levels)}
            codes = np.array([index.get(v, -1) if v is not None else -1 for v in values_list])
            preds = [f'"{name}" = {_literal(v)}' for v in levels]
        names.append(name)
        predicates.append(preds)
        columns.append(codes)
    return names, predicates, (np.column_stack(columns) if columns else np.zeros((table.height, 0), np.int64))


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def discover_slices(frame: ViewFrame, spec: SliceLineSpec | None = None) -> list[DiscoveredSlice]:
    """The worst slices of a version's newest run by SliceLine (errors: misclassified rows).

    Returns
    -------
    list of DiscoveredSlice
        Best first; each ``where`` opens or saves as a slice. Empty without labels and a run.
    """
    if "correct" not in frame.rows.columns:
        return []
    table = filter_table(frame)
    labelled = table["correct"].is_not_null().to_numpy()
    errors = (~table["correct"].fill_null(True)).to_numpy().astype(np.float64)
    table = table.drop([tag_column(t) for t in TARGET_TAGS if tag_column(t) in table.columns])
    _, predicates, codes = _features(table, frame.text_column)
    codes = np.where(labelled[:, None], codes, -1)
    found = find_slices(codes, errors, spec or SliceLineSpec())
    return [
        DiscoveredSlice(
            " AND ".join(predicates[f][v] for f, v in s.predicates), s.size, s.error_rate, s.score
        )
        for s in found
    ]
