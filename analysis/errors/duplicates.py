"""Exact and near-duplicates, and data leakage across splits."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def exact_duplicate_groups(hashes: list[str]) -> NDArray[np.int64]:
    """Group rows with the same content hash.

    Returns
    -------
    numpy.ndarray
        int64 (n,): a group id shared by rows with identical content, -1 for unique rows.
    """
    _, inverse, counts = np.unique(np.asarray(hashes), return_inverse=True, return_counts=True)
    return np.where(counts[inverse] > 1, inverse, -1).astype(np.int64)


def near_duplicate_groups(
    knn_indices: NDArray[np.int32], knn_distances: NDArray[np.float32], min_similarity: float
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Group rows linked by a cosine similarity of at least ``min_similarity`` (connected components).

    Parameters
    ----------
    knn_indices, knn_distances : numpy.ndarray
        (n, k) neighbour graph, cosine distance = 1 - similarity.
    min_similarity : float
        Link threshold on cosine similarity of normalised embeddings (DESIGN.md's rule; cleanlab's
        Datalab uses 0.13 × the median nearest-neighbour distance instead).

    Returns
    -------
    groups : numpy.ndarray
        int64 (n,): component id for rows with at least one link, -1 otherwise.
    best : numpy.ndarray
        float64 (n,): each row's highest similarity to a neighbour.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = knn_indices.shape[0]
    similarity = 1.0 - knn_distances.astype(np.float64)
    linked = similarity >= min_similarity
    rows = np.repeat(np.arange(n), knn_indices.shape[1])[linked.ravel()]
    cols = knn_indices.ravel()[linked.ravel()]
    graph = coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    _, components = connected_components(graph, directed=False)
    has_link = np.zeros(n, dtype=bool)
    has_link[rows] = True
    has_link[cols] = True
    best = similarity.max(axis=1) if similarity.shape[1] else np.zeros(n)
    return np.where(has_link, components, -1).astype(np.int64), best


def split_leaks(groups: NDArray[np.int64], splits: list[str | None]) -> NDArray[np.bool_]:
    """Rows whose duplicate group spans two or more splits (train / validation / test leakage).

    Parameters
    ----------
    groups : numpy.ndarray
        int64 (n,) duplicate group per row, -1 for none.
    splits : list of str or None
        Split of each row.
    """
    leak = np.zeros(len(groups), dtype=bool)
    members: dict[int, set[str]] = {}
    for g, s in zip(groups.tolist(), splits, strict=True):
        if g >= 0 and s is not None:
            members.setdefault(g, set()).add(s)
    spanning = {g for g, s in members.items() if len(s) > 1}
    if spanning:
        leak = np.isin(groups, list(spanning))
    return leak
