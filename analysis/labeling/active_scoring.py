"""The array-level pieces the active-learning strategies (:mod:`analysis.labeling.active`) are built
from: how unsure a model is of each row, and which rows of a set of embeddings or clusters to take.

- :func:`margin_uncertainty`, :func:`entropy_uncertainty`: uncertainty sampling's measures
  (Settles 2009, "Active Learning Literature Survey", §3.1).
- :func:`round_robin`: cluster-balanced turns, the least covered cluster first.
- :func:`representatives`: one row per k-means cluster, the nearest to its centroid (Nguyen &
  Smeulders 2004; Zhdanov 2019).
- :func:`kmeans_clusters`: clusters of a version the pipeline has not clustered.

Nothing here knows a :class:`analysis.labeling.active.LabelPool`: each function takes and returns
plain arrays.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
from numpy.typing import NDArray


def margin_uncertainty(probabilities: NDArray[np.floating]) -> NDArray[np.float64]:
    """1 − (p₁ − p₂): one minus the margin between each row's two most probable classes.

    Parameters
    ----------
    probabilities : numpy.ndarray
        float (n, k), k ≥ 2, rows summing to 1.

    Returns
    -------
    numpy.ndarray
        float64 (n,) in [0, 1]; 1 where the top two classes tie.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    top = np.partition(p, p.shape[1] - 2, axis=1)[:, -2:]
    return np.asarray(1.0 - (top[:, 1] - top[:, 0]), dtype=np.float64)


def entropy_uncertainty(probabilities: NDArray[np.floating]) -> NDArray[np.float64]:
    """Shannon entropy of each row's class probabilities divided by log k.

    Parameters
    ----------
    probabilities : numpy.ndarray
        float (n, k), k ≥ 2, rows summing to 1.

    Returns
    -------
    numpy.ndarray
        float64 (n,) in [0, 1]; 1 for the uniform distribution.
    """
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, 1.0)
    return np.asarray(-(p * np.log(p)).sum(axis=1) / np.log(p.shape[1]), dtype=np.float64)


def round_robin(
    rows: NDArray[np.int64], clusters: NDArray[np.int64], covered: NDArray[np.int64], size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Take rows cluster by cluster, the least covered cluster first, each cluster's rows in order.

    Parameters
    ----------
    rows : numpy.ndarray
        int64 (m,): candidate rows, each cluster's in the order to take them.
    clusters : numpy.ndarray
        int64 (m,): the cluster of each candidate.
    covered : numpy.ndarray
        int64 (c,): labelled rows per cluster label ``0…c-1`` before any pick (a label outside
        counts as uncovered).
    size : int
        How many to take.

    Returns
    -------
    picked : numpy.ndarray
        int64 (s,): rows in the order taken.
    coverage : numpy.ndarray
        int64 (s,): how many rows of its cluster were labelled or taken before each pick.
    """
    queues: dict[int, list[int]] = {}
    for row, cluster in zip(rows.tolist(), clusters.tolist(), strict=True):
        queues.setdefault(cluster, []).append(row)
    # the heap holds (rows covered, cluster): fewest covered first, the lower cluster label on ties
    heap = [(int(covered[c]) if 0 <= c < covered.size else 0, c) for c in queues]
    heapq.heapify(heap)
    position = dict.fromkeys(queues, 0)
    picked: list[int] = []
    coverage: list[int] = []
    while heap and len(picked) < size:
        count, cluster = heapq.heappop(heap)
        picked.append(queues[cluster][position[cluster]])
        coverage.append(count)
        position[cluster] += 1
        if position[cluster] < len(queues[cluster]):
            heapq.heappush(heap, (count + 1, cluster))
    return np.asarray(picked, dtype=np.int64), np.asarray(coverage, dtype=np.int64)


def cluster_groups(clusters: NDArray[np.int64]) -> NDArray[np.int64]:
    """Cluster labels with noise (-1) moved to a group of its own after the last cluster.

    Parameters
    ----------
    clusters : numpy.ndarray
        int64 (n,), n ≥ 1: cluster labels ``0…c-1``, -1 for noise (HDBSCAN).

    Returns
    -------
    numpy.ndarray
        int64 (n,): the labels, noise as ``max + 1``.
    """
    return np.where(clusters >= 0, clusters, int(clusters.max()) + 1).astype(np.int64)


def representatives(
    vectors: NDArray[np.floating], k: int, seed: int, weights: NDArray[np.float64] | None = None
) -> NDArray[np.int64]:
    """One row per k-means cluster of ``vectors``: the nearest to its centroid, largest cluster first.

    Parameters
    ----------
    vectors : numpy.ndarray
        float (m, d) rows to choose from.
    k : int
        Clusters, 1 ≤ k; all m rows come back (in order) when k ≥ m.
    seed : int
        Seed of the k-means++ initialisation (scikit-learn ``KMeans``, one initialisation).
    weights : numpy.ndarray, optional
        float64 (m,) sample weights of the k-means objective.

    Returns
    -------
    numpy.ndarray
        int64 (≤ k,): positions into ``vectors``; fewer than k when rows repeat (k-means then finds
        fewer distinct clusters).
    """
    import warnings

    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    m = vectors.shape[0]
    if k >= m:
        return np.arange(m, dtype=np.int64)
    x = np.asarray(vectors, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # repeated rows: fewer distinct clusters
        model = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(x, sample_weight=weights)
    labels = model.labels_.astype(np.int64)
    distance = np.linalg.norm(x - model.cluster_centers_[labels], axis=1)
    sizes = np.bincount(labels, minlength=k)
    # per cluster the nearest row; clusters by decreasing size, then label
    first = np.lexsort((distance, labels))
    nearest = first[np.r_[True, labels[first][1:] != labels[first][:-1]]]
    order = np.lexsort((labels[nearest], -sizes[labels[nearest]]))
    return nearest[order].astype(np.int64)


def kmeans_clusters(vectors: NDArray[np.floating], seed: int = 0) -> NDArray[np.int64]:
    """Clusters of the embeddings for a version the pipeline has not clustered.

    k follows the ``cluster_sphere`` stage's rule, ``clamp(round(sqrt(n / 10)), 2, 64)``
    (:func:`analysis.map.spherical.auto_k`, restated here: the import contract keeps the labeling
    package from importing the map package). On L2-normalised vectors Euclidean k-means ranks rows
    as cosine similarity does.

    Parameters
    ----------
    vectors : numpy.ndarray
        float (n, d), n ≥ 1.
    seed : int
        Seed of the k-means++ initialisation (scikit-learn ``KMeans``, one initialisation).

    Returns
    -------
    numpy.ndarray
        int64 (n,): cluster 0…k-1 of each row.
    """
    from sklearn.cluster import KMeans

    n = vectors.shape[0]
    k = max(1, min(n, max(2, min(64, round(math.sqrt(n / 10))))))
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    model = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(np.asarray(vectors, dtype=np.float64))
    return np.asarray(model.labels_, dtype=np.int64)
