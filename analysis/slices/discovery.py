"""Slice discovery on a version: SliceLine over categorical columns, binned numbers, tags and clusters.

Before SliceLine runs, predicates that are aliases or complements of more readable ones are removed
(``cluster = -1`` is the ``cluster_noise`` tag; a tag's ``= false`` is "not the tag"), and of the
slices found, those whose rows are a near-copy (Jaccard ≥ 0.9) of a better one are dropped
(:mod:`analysis.slices.dedup`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel
from analysis.slices.dedup import (
    RANK_CODE,
    RANK_FLAG,
    RANK_LEVEL,
    RANK_NEGATION,
    RANK_RANGE,
    Predicate,
    distinct_predicates,
    drop_near_copies,
)
from analysis.slices.filters import filter_table, tag_column
from analysis.slices.sliceline import FoundSlice, SliceLineSpec, find_slices
from analysis.view_frame import ViewFrame

MAX_CATEGORIES = 200
NUMERIC_BINS = 5
NEAR_COPY = 0.9  # Jaccard index of two slices' rows above which the lower-ranked one is dropped
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


@dataclass(frozen=True)
class _Features:
    """Usable columns encoded as codes (int64 (n, m), -1 missing), each code's SQL and readability."""

    predicates: list[list[str]]
    ranks: list[list[int]]
    codes: NDArray[np.int64]


def _features(table: pl.DataFrame, text_column: str | None) -> _Features:
    """Encode usable columns as codes: numbers with many values in quantile bins, the rest as levels."""
    predicates, ranks, columns = [], [], []
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
            level_ranks = [RANK_RANGE] * len(preds)
        else:
            if series.n_unique() > MAX_CATEGORIES:
                continue
            values_list = series.to_list()
            levels = sorted({v for v in values_list if v is not None}, key=str)
            index = {v: i for i, v in enumerate(levels)}
            codes = np.array([index.get(v, -1) if v is not None else -1 for v in values_list])
            preds = [f'"{name}" = {_literal(v)}' for v in levels]
            level_ranks = [_rank(dtype, v) for v in levels]
        predicates.append(preds)
        ranks.append(level_ranks)
        columns.append(codes)
    matrix = np.column_stack(columns) if columns else np.zeros((table.height, 0), np.int64)
    return _Features(predicates, ranks, matrix.astype(np.int64))


def _rank(dtype: pl.DataType, value: object) -> int:
    """How readable ``column = value`` is (see :mod:`analysis.slices.dedup`)."""
    if dtype == pl.Boolean:
        return RANK_FLAG if value else RANK_NEGATION
    return RANK_CODE if dtype.is_numeric() else RANK_LEVEL


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _distinct_codes(features: _Features, labelled: NDArray[np.bool_]) -> NDArray[np.int64]:
    """The code matrix with aliases and complements of more readable predicates marked missing (-1),
    so SliceLine never forms a predicate from them."""
    codes = features.codes
    pairs = [(f, v) for f in range(codes.shape[1]) for v in range(len(features.predicates[f]))]

    def candidates() -> Iterator[Predicate]:
        for f, v in pairs:
            yield Predicate(features.predicates[f][v], codes[:, f] == v, features.ranks[f][v])

    kept = {pairs[i] for i in distinct_predicates(candidates(), labelled)}
    out = codes.copy()
    for f, v in pairs:
        if (f, v) not in kept:
            out[out[:, f] == v, f] = -1
    return out


def _slice_mask(codes: NDArray[np.int64], found: FoundSlice) -> NDArray[np.bool_]:
    mask = np.ones(codes.shape[0], dtype=bool)
    for f, v in found.predicates:
        mask &= codes[:, f] == v
    return mask


def _distinct_slices(
    codes: NDArray[np.int64],
    errors: NDArray[np.float64],
    spec: SliceLineSpec,
    progress: Progress | None,
) -> list[FoundSlice]:
    """SliceLine's top ``spec.k`` slices of which none is a near-copy of a better one.

    SliceLine is asked for more slices than wanted (the copies dropped leave room), and for more again
    while copies leave fewer than ``spec.k`` and SliceLine had more to give.
    """
    wanted = 4 * spec.k
    while True:
        found = find_slices(codes, errors, replace(spec, k=wanted), progress)
        # Same score, fewer predicates first: a conjunction whose extra predicate changes no row
        # is the shorter slice's copy, and the shorter one is the one to keep.
        found.sort(key=lambda s: (-s.score, len(s.predicates), s.predicates))
        keep = drop_near_copies([_slice_mask(codes, s) for s in found], NEAR_COPY)
        if len(keep) >= spec.k or len(found) < wanted or wanted >= 64 * spec.k:
            return [found[i] for i in keep[: spec.k]]
        wanted *= 4


def discover_slices(
    frame: ViewFrame, spec: SliceLineSpec | None = None, progress: Progress | None = None
) -> list[DiscoveredSlice]:
    """The worst slices of a version's newest run by SliceLine (errors: misclassified rows).

    Parameters
    ----------
    frame : ViewFrame
        The version; its tags become ``tag_<name>`` features except the ones computed from the
        model's errors (:data:`TARGET_TAGS`).
    spec : SliceLineSpec, optional
        α, k, predicates and support (the paper's defaults).
    progress : Progress, optional
        Told what runs; checked for cancellation between steps
        (:class:`analysis.progress.Cancelled` is raised then).

    Returns
    -------
    list of DiscoveredSlice
        Best first, at most ``spec.k``; no predicate is an alias or complement of a more readable one
        and no slice's rows are a near-copy (Jaccard ≥ 0.9) of a better slice's. Each ``where`` opens
        or saves as a slice. Empty without labels and a run.
    """
    spec = spec or SliceLineSpec()
    if "correct" not in frame.rows.columns:
        return []
    _step(progress, "Encoding columns for SliceLine")
    table = filter_table(frame)
    labelled = table["correct"].is_not_null().to_numpy()
    errors = (~table["correct"].fill_null(True)).to_numpy().astype(np.float64)
    table = table.drop([tag_column(t) for t in TARGET_TAGS if tag_column(t) in table.columns])
    features = _features(table, frame.text_column)
    codes = np.where(labelled[:, None], features.codes, -1)
    features = _Features(features.predicates, features.ranks, codes)
    _step(progress, "Dropping aliases and complements")
    codes = _distinct_codes(features, labelled)
    _step(progress, "Searching slices (SliceLine)")
    found = _distinct_slices(codes, errors, spec, progress)
    return [
        DiscoveredSlice(
            " AND ".join(features.predicates[f][v] for f, v in s.predicates), s.size, s.error_rate, s.score
        )
        for s in found
    ]


def _step(progress: Progress | None, text: str) -> None:
    if progress is not None:
        check_cancel(progress)
        progress.message(text)
