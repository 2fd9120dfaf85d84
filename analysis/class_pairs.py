"""Counts of class pairs over rows, with the rows behind each pair: the confusion matrix (given →
predicted) and a diff's label changes (old → new) are both this, and one view draws both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.palette import colour_index


@dataclass(frozen=True)
class ClassPair:
    """One off-diagonal cell: ``first`` and ``second`` index :attr:`ClassPairs.classes`; ``share`` is
    ``count`` over the rows whose first class is ``first`` (the recall lost to this confusion)."""

    first: int
    second: int
    count: int
    share: float


@dataclass(frozen=True)
class ClassPairs:
    """A class × class count matrix over rows, and which rows make each cell.

    Attributes
    ----------
    classes : tuple of str
        The K classes of both axes, in the project's class order (then unseen ones by name).
    colour_indices : numpy.ndarray
        int64 (K,): each class's palette index (:func:`analysis.palette.palette_colour`).
    counts : numpy.ndarray
        int64 (K, K): rows with first class ``classes[i]`` and second class ``classes[j]``.
    first, second : numpy.ndarray
        int64 (m,): the class index of each counted row on either axis (rows with a missing class
        are not counted).
    row_ids : numpy.ndarray
        int64 (m,): the ``_row_id`` of each counted row.
    row_keys : tuple of str or None
        (m,) the ``_row_key`` of each counted row, where the caller gave them.
    first_name, second_name : str
        What the axes are (``given`` / ``predicted``, ``from`` / ``to``), for tooltips and headers.
    share_name : str
        What :attr:`ClassPair.share` means to a reader (``% of given``); ``""`` where it means little
        (a diff counts only the changed rows of a class), and the views leave it out.
    """

    classes: tuple[str, ...]
    colour_indices: NDArray[np.int64]
    counts: NDArray[np.int64]
    first: NDArray[np.int64]
    second: NDArray[np.int64]
    row_ids: NDArray[np.int64]
    row_keys: tuple[str, ...] | None = None
    first_name: str = "given"
    second_name: str = "predicted"
    share_name: str = ""

    @property
    def total(self) -> int:
        """Rows counted."""
        return int(self.counts.sum())

    @property
    def agreement(self) -> float:
        """Share of counted rows on the diagonal (accuracy for a confusion matrix; NaN when empty)."""
        return float(np.trace(self.counts) / self.total) if self.total else float("nan")

    def pairs(self) -> list[ClassPair]:
        """The non-empty off-diagonal cells, largest count first (ties: by first, then second class
        in axis order)."""
        off = self.counts.copy()
        np.fill_diagonal(off, 0)
        i, j = np.nonzero(off)
        values = off[i, j]
        order = np.lexsort((j, i, -values))
        given = np.maximum(self.counts.sum(axis=1), 1)
        return [
            ClassPair(int(i[k]), int(j[k]), int(values[k]), float(values[k] / given[i[k]])) for k in order
        ]

    def mask(self, first: int, second: int) -> NDArray[np.bool_]:
        """bool (m,): the counted rows in cell (``first``, ``second``)."""
        out: NDArray[np.bool_] = (self.first == first) & (self.second == second)
        return out

    def rows(self, first: int, second: int) -> NDArray[np.int64]:
        """int64, sorted: the ``_row_id`` values of cell (``first``, ``second``)."""
        return np.sort(self.row_ids[self.mask(first, second)])

    def keys(self, first: int, second: int) -> list[str]:
        """The ``_row_key`` values of cell (``first``, ``second``).

        Raises
        ------
        ValueError
            When the pairs were counted without row keys.
        """
        if self.row_keys is None:
            raise ValueError("These class pairs were counted without row keys.")
        return [self.row_keys[k] for k in np.flatnonzero(self.mask(first, second))]

    def describe(self, first: int, second: int) -> str:
        """The cell in words, e.g. ``given card_arrival → predicted card_linking: 7 rows``."""
        n = int(self.counts[first, second])
        return (
            f"{self.first_name} {self.classes[first]} → {self.second_name} {self.classes[second]}: "
            f"{n:,} row{'' if n == 1 else 's'}"
        )


def count_pairs(
    first: Sequence[str | None],
    second: Sequence[str | None],
    order: Sequence[str] = (),
    classes: Sequence[str] = (),
    row_ids: Sequence[int] | NDArray[np.integer] | None = None,
    row_keys: Sequence[str] | None = None,
    names: tuple[str, str] = ("given", "predicted"),
    share_name: str = "",
) -> ClassPairs:
    """Count the (first, second) class pairs of rows.

    Parameters
    ----------
    first, second : sequence of str or None
        Each row's class on either axis, length n; a row with a missing class on either is left out.
    order : sequence of str
        The project's class order (``ViewFrame.class_order``): the axes follow it and a class's
        colour is its place in it.
    classes : sequence of str
        Classes to show even where no row has them (a run's classes), besides those in the rows.
    row_ids : sequence of int, optional
        Each row's ``_row_id`` (default 0…n-1).
    row_keys : sequence of str, optional
        Each row's ``_row_key``, for selecting the rows in another version.
    names : (str, str)
        What the axes are, for tooltips.
    share_name : str
        The share's column header (``ClassPairs.share_name``); ``""``: no share column.

    Returns
    -------
    ClassPairs

    Raises
    ------
    ValueError
        When the sequences differ in length.
    """
    n = len(first)
    if (
        len(second) != n
        or (row_ids is not None and len(row_ids) != n)
        or (row_keys is not None and len(row_keys) != n)
    ):
        raise ValueError("Each row needs one class on either axis (and one id and key, where given).")
    # coded column-wise with polars: a Python loop over 100k rows stalled the window ~0.2 s
    first_s = pl.Series("a", list(first) if not isinstance(first, pl.Series) else first).cast(pl.String)
    second_s = pl.Series("b", list(second) if not isinstance(second, pl.Series) else second).cast(pl.String)
    present = set(pl.concat([first_s, second_s]).drop_nulls().unique().to_list()) | set(classes)
    position: dict[object, int] = {name: i for i, name in enumerate(order)}
    axis = [c for c in order if c in present] + sorted(present - set(order))
    code = {name: i for i, name in enumerate(axis)}
    a = first_s.replace_strict(code, default=-1, return_dtype=pl.Int64).fill_null(-1).to_numpy()
    b = second_s.replace_strict(code, default=-1, return_dtype=pl.Int64).fill_null(-1).to_numpy()
    keep = (a >= 0) & (b >= 0)
    k = len(axis)
    counts = np.bincount(a[keep] * k + b[keep], minlength=k * k).reshape(k, k).astype(np.int64)
    ids = np.arange(n, dtype=np.int64) if row_ids is None else np.asarray(row_ids, dtype=np.int64)
    # tuple() of an object array runs in C: a generator over 1M keys stalled the window ~0.3 s
    kept_keys = tuple(np.asarray(row_keys, dtype=object)[keep]) if row_keys is not None else None
    return ClassPairs(
        classes=tuple(axis),
        colour_indices=np.array([colour_index(c, position) for c in axis], dtype=np.int64),
        counts=counts,
        first=a[keep],
        second=b[keep],
        row_ids=ids[keep],
        row_keys=kept_keys,
        first_name=names[0],
        second_name=names[1],
        share_name=share_name,
    )
