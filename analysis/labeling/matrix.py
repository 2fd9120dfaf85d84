"""The rows × annotators matrix of labels that every agreement measure starts from.

Each annotator counts once per row: when an annotator labelled a row more than once (ConvAbuse's
repeat annotations, kept to measure intra-annotator agreement), the first label given is the one
used, and the repeats are counted apart (how many, and how many of them repeat the first label).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from storage.errors import InputError

MISSING = -1


@dataclass(frozen=True)
class AnnotationMatrix:
    """Labels of n rows by m annotators over k labels.

    Attributes
    ----------
    row_ids : numpy.ndarray
        int64 (n,): the ``_row_id`` of each row with at least one label, ascending.
    annotators : tuple of str
        The m annotators, by name.
    labels : tuple of str
        The k labels in scale order (see :func:`label_order`); ``codes`` index it.
    codes : numpy.ndarray
        int64 (n, m): the label each annotator gave each row, :data:`MISSING` (-1) where none.
    repeats : int
        Labels beyond an annotator's first on a row (not in ``codes``).
    repeats_same : int
        How many of those repeat the annotator's first label on the row.
    ordered_by : str
        How ``labels`` were ordered: ``scale`` (given, e.g. one-hot columns in file order),
        ``numeric`` or ``name`` (alphabetical: ordinal measures then assume that order).
    """

    row_ids: NDArray[np.int64]
    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    codes: NDArray[np.int64]
    repeats: int = 0
    repeats_same: int = 0
    ordered_by: str = "name"

    @property
    def counts(self) -> NDArray[np.int64]:
        """int64 (n, k): how many annotators gave each row each label."""
        k = len(self.labels)
        out = np.zeros((self.codes.shape[0], k), dtype=np.int64)
        rows, cols = np.nonzero(self.codes >= 0)
        np.add.at(out, (rows, self.codes[rows, cols]), 1)
        return out

    @property
    def per_row(self) -> NDArray[np.int64]:
        """int64 (n,): how many annotators labelled each row."""
        return np.asarray((self.codes >= 0).sum(axis=1), dtype=np.int64)

    def reliability(self) -> NDArray[np.float64]:
        """float64 (m, n): the codes as the ``krippendorff`` package takes them (NaN where missing)."""
        return np.where(self.codes >= 0, self.codes, np.nan).T.astype(np.float64)


def label_order(labels: Sequence[str], scale: Sequence[str] | None = None) -> tuple[tuple[str, ...], str]:
    """The labels in the order of their scale, and how that order was found.

    Parameters
    ----------
    labels : sequence of str
        The distinct labels given.
    scale : sequence of str, optional
        A known order (one-hot columns in file order, or the classes of the version); labels outside
        it follow, by name.

    Returns
    -------
    (tuple of str, str)
        The ordered labels, and ``scale``, ``numeric`` (every label a number: by value) or ``name``.
    """
    distinct = sorted(set(labels))
    if scale:
        known = [s for s in scale if s in set(distinct)]
        return tuple(known + [x for x in distinct if x not in set(known)]), "scale"
    try:
        values = [float(x) for x in distinct]
    except ValueError:
        return tuple(distinct), "name"
    return tuple(x for _, x in sorted(zip(values, distinct, strict=True))), "numeric"


def annotation_matrix(annotations: pl.DataFrame, scale: Sequence[str] | None = None) -> AnnotationMatrix:
    """Build the matrix from annotations in the order they were given.

    Parameters
    ----------
    annotations : polars.DataFrame
        ``row_id`` (int), ``annotator`` (str), ``label`` (str), one row per label given, earliest
        first (:func:`storage.annotations.read_annotations`).
    scale : sequence of str, optional
        The labels' order (:func:`label_order`).

    Returns
    -------
    AnnotationMatrix

    Raises
    ------
    InputError
        When there are no annotations.
    """
    if annotations.is_empty():
        raise InputError("There are no annotations to measure agreement on.")
    keyed = annotations.select("row_id", "annotator", "label").with_columns(
        first=pl.int_range(pl.len()).over("row_id", "annotator") == 0
    )
    first = keyed.filter(pl.col("first"))
    later = keyed.filter(~pl.col("first")).join(
        first.select("row_id", "annotator", pl.col("label").alias("first_label")), on=["row_id", "annotator"]
    )
    labels, ordered_by = label_order(first["label"].unique().to_list(), scale)
    annotators = tuple(sorted(first["annotator"].unique().to_list()))
    row_ids = np.sort(first["row_id"].unique().to_numpy()).astype(np.int64)
    codes = np.full((len(row_ids), len(annotators)), MISSING, dtype=np.int64)
    label_index = {x: i for i, x in enumerate(labels)}
    annotator_index = {x: i for i, x in enumerate(annotators)}
    rows = np.searchsorted(row_ids, first["row_id"].to_numpy())
    cols = first["annotator"].replace_strict(annotator_index, return_dtype=pl.Int64).to_numpy()
    codes[rows, cols] = first["label"].replace_strict(label_index, return_dtype=pl.Int64).to_numpy()
    same = int((later["label"] == later["first_label"]).sum())
    return AnnotationMatrix(row_ids, annotators, labels, codes, later.height, same, ordered_by)
