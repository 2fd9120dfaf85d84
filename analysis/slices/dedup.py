"""Keeping slice discovery's results distinct: predicates that are aliases or complements of each other,
and slices that are near-copies of a better one.

Two columns often describe the same rows: HDBSCAN's noise (``cluster = -1``) is exactly the
``cluster_noise`` tag, and a tag's ``= false`` is only "not the tag". Left in, SliceLine reports each
finding two or three times, or reports "rows without the tag" as a slice. Predicates are compared by
the rows they select (a digest of the packed row mask, so no row set is kept in memory), and slices by
the Jaccard index of their rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# How readable a predicate is, best first: the discovery gives each predicate one of these ranks.
RANK_FLAG = 0  # a boolean column that holds: "tag_cluster_noise" = true
RANK_LEVEL = 1  # a category: label = 'card_arrival'
RANK_CODE = 2  # a number used as a category: cluster = -1
RANK_RANGE = 3  # a bin of a number: confidence >= 0.2 AND confidence < 0.4
RANK_NEGATION = 4  # a boolean column that does not hold: "tag_near_duplicate" = false


@dataclass(frozen=True)
class Predicate:
    """A candidate predicate: its SQL, the rows it selects and its readability rank.

    Attributes
    ----------
    sql : str
    mask : numpy.ndarray
        bool (n,) rows the predicate selects.
    rank : int
        Readability, lower is better (``RANK_*``); among aliases the lowest rank is kept.
    """

    sql: str
    mask: NDArray[np.bool_]
    rank: int


def _digest(mask: NDArray[np.bool_]) -> bytes:
    return hashlib.blake2b(np.packbits(mask).tobytes(), digest_size=16).digest()


def distinct_predicates(candidates: Iterable[Predicate], labelled: NDArray[np.bool_]) -> list[int]:
    """Indices of the candidates to keep, in their given order.

    A predicate is dropped when it selects no row or every row (it says nothing and, in a
    conjunction, repeats the rest); when another, at least as readable, selects the same rows (an
    alias); or when a more readable one selects exactly the other rows (a complement, e.g. a tag's
    ``= false`` next to its ``= true``). Two equally readable complements (the two levels of a
    two-valued column) are both kept: each names a group of rows. Rows are compared where
    ``labelled`` holds, the rows slice discovery scores.

    Parameters
    ----------
    candidates : iterable of Predicate
        May be a generator: only a 16-byte digest of each mask is kept.
    labelled : numpy.ndarray
        bool (n,) the rows that count.

    Returns
    -------
    list of int
        Positions in ``candidates`` of the predicates kept, ascending.
    """
    entries: list[tuple[int, int, str, bytes, bytes]] = []  # rank, index, sql, rows, other rows
    for i, p in enumerate(candidates):
        rows = np.asarray(p.mask, dtype=bool)[labelled]
        count = int(np.count_nonzero(rows))
        if count == 0 or count == rows.size:
            continue
        entries.append((p.rank, i, p.sql, _digest(rows), _digest(~rows)))
    # Most readable first (then the shorter SQL), so the first of each row set is the one kept.
    entries.sort(key=lambda e: (e[0], len(e[2]), e[2], e[1]))
    kept_rank: dict[bytes, int] = {}
    kept: list[int] = []
    for rank, i, _sql, rows_key, other_key in entries:
        if rows_key in kept_rank:
            continue
        if other_key in kept_rank and kept_rank[other_key] < rank:
            continue
        kept_rank[rows_key] = rank
        kept.append(i)
    return sorted(kept)


def jaccard(a: NDArray[np.bool_], b: NDArray[np.bool_]) -> float:
    """|a ∩ b| / |a ∪ b| of two bool (n,) row masks (1.0 for two empty ones)."""
    union = int(np.count_nonzero(a | b))
    return int(np.count_nonzero(a & b)) / union if union else 1.0


def drop_near_copies(masks: Sequence[NDArray[np.bool_]], threshold: float = 0.9) -> list[int]:
    """Indices of the slices to keep from a ranked list (best first): each slice whose rows have a
    Jaccard index ≥ ``threshold`` with a slice kept before it is dropped.

    Parameters
    ----------
    masks : sequence of numpy.ndarray
        bool (n,) rows of each slice, best slice first.
    threshold : float
        In (0, 1]; 0.9 by default.

    Returns
    -------
    list of int
        Positions in ``masks`` kept, ascending.
    """
    kept: list[int] = []
    for i, mask in enumerate(masks):
        if all(jaccard(mask, masks[j]) < threshold for j in kept):
            kept.append(i)
    return kept
