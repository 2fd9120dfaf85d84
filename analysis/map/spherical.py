"""Spherical k-means on the embedding vectors: a second clustering, next to HDBSCAN on the map.

HDBSCAN clusters the 2-D UMAP map (:mod:`analysis.map.clustering`); UMAP keeps neighbourhoods but
stretches and tears distances, and sentence embeddings are anisotropic (they fill a narrow cone of the
sphere), so Euclidean density on either can split or merge groups the vectors themselves do not.
Spherical k-means (Dhillon & Modha, "Concept decompositions for large sparse text data using
clustering", Machine Learning 42, 2001) clusters the L2-normalised vectors by cosine similarity: each
row goes to the centroid with the largest dot product, and each centroid is the normalised mean of its
rows. Every row is in a cluster (no noise), which suits sampling and browsing where HDBSCAN leaves
rows out.

The algorithm is faiss's ``faiss.Kmeans(..., spherical=True)`` (Douze et al., "The Faiss library",
arXiv:2401.08281, 2024): an inner-product index for the assignment and centroids renormalised after
each iteration, seeded by k-means++ (Arthur & Vassilvitskii, SODA 2007).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel

# Iterations per faiss call: faiss has no progress callback, so Cancel is honoured between calls.
ITERATIONS_PER_STEP = 5
MAX_AUTO_K = 64


@dataclass(frozen=True)
class SphereClusterSpec:
    """Parameters of the ``cluster_sphere`` stage.

    Attributes
    ----------
    k : int
        Number of clusters; 0 picks :func:`auto_k` of the row count.
    seed : int
        Seed of the k-means++ initialisation (the same seed and rows give the same clusters).
    iterations : int
        Lloyd iterations (assign, then recompute the normalised centroids); faiss's default is 25.
    """

    k: int = 0
    seed: int = 42
    iterations: int = 25


def auto_k(n: int) -> int:
    """The number of clusters for n rows when none is given: ``clamp(round(sqrt(n / 10)), 2, 64)``.

    Why this rule: the clusters are meant to be read as a list and told apart by colour on the map, so
    there should be tens of them, not hundreds. k growing with the square root of n lets the average
    cluster grow too (about ``sqrt(10 n)`` rows), so keywords and error rates rest on more rows as the
    data grows: 600 rows → 8 clusters of 75, 3,080 → 18 of 170, 13,083 → 36 of 360 (BANKING77 has 77
    intents; enough rows per cluster for a per-cluster error rate within about ±5 points), and from
    about 41,000 rows the cap of 64 holds (100,000 emoji tweets → 64 clusters of about 1,560). The
    cap keeps the list and the legend readable; ``k`` in the spec overrides the rule.

    Parameters
    ----------
    n : int
        Number of rows.

    Returns
    -------
    int
        Between 2 and :data:`MAX_AUTO_K` (never more than n).
    """
    return max(1, min(n, max(2, min(MAX_AUTO_K, round(math.sqrt(n / 10))))))


def resolved_k(spec: SphereClusterSpec, n: int) -> int:
    """The k actually used for n rows: ``spec.k`` (at most n), else :func:`auto_k`."""
    return min(spec.k, n) if spec.k > 0 else auto_k(n)


def normalised(vectors: NDArray[np.floating]) -> NDArray[np.float32]:
    """Rows scaled to unit length (float32, C-contiguous); an all-zero row stays zero."""
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x / np.maximum(norms, np.float32(1e-12)), dtype=np.float32)


def spherical_kmeans(
    vectors: NDArray[np.floating], spec: SphereClusterSpec, progress: Progress
) -> NDArray[np.int64]:
    """Cluster embedding vectors by cosine similarity with spherical k-means.

    Parameters
    ----------
    vectors : numpy.ndarray
        float32 or float16 (n, d) embeddings; they are L2-normalised here (faiss does not).
    spec : SphereClusterSpec
    progress : analysis.progress.Progress
        ``total`` is the number of iterations, advanced every :data:`ITERATIONS_PER_STEP`.

    Returns
    -------
    numpy.ndarray
        int64 (n,): each row's cluster, 0…C-1 with C ≤ k, numbered from the largest cluster down
        (ties by the lower centroid index); no row is noise.

    Raises
    ------
    ValueError
        When ``vectors`` is not a 2-D array with at least one row, or holds NaN or infinity.
    analysis.progress.Cancelled
        When cancelled (checked between steps of :data:`ITERATIONS_PER_STEP` iterations).

    Notes
    -----
    Progress and Cancel: faiss trains without a callback, so the iterations run in steps of
    :data:`ITERATIONS_PER_STEP`, each step starting from the previous step's centroids. A Lloyd
    iteration depends on nothing but the centroids, so the steps give the same clusters as one call
    of ``iterations`` iterations, except where faiss re-seeds an empty cluster (its random
    perturbation restarts from the seed at each step); either way the result is reproducible. At
    100,000 × 384 and k = 64 a step takes about 2 s on two busy cores (10.5 s in all, k-means++
    seeding included), so Cancel answers within seconds.

    Every row trains the centroids: faiss samples at most ``max_points_per_centroid`` rows per
    centroid (256 by default, 16,384 rows at k = 64), which is set here to cover all rows; an
    iteration over 100,000 rows × 384 dimensions at k = 64 costs ~5 GFLOP. Reproducibility: with a
    fixed seed the result is the same from run to run and with 1 or 2 threads (checked in the tests
    on BANKING77); faiss's assignment and centroid sums are split by rows and by centroids, not by
    summation order.
    """
    import faiss

    if vectors.ndim != 2 or vectors.shape[0] < 1:
        raise ValueError(f"Expected a 2-D array of vectors with at least one row, got shape {vectors.shape}.")
    x = normalised(vectors)
    if not np.isfinite(x).all():
        raise ValueError("The vectors hold NaN or infinite values; re-run the embed stage.")
    n, d = x.shape
    k = resolved_k(spec, n)
    progress.message(f"Clustering {n:,} vectors on the sphere (spherical k-means, k = {k})")
    progress.total(spec.iterations)
    check_cancel(progress)
    if k <= 1:
        return np.zeros(n, dtype=np.int64)
    centroids: NDArray[np.float32] | None = None
    done = 0
    while done < max(spec.iterations, 1):
        step = min(ITERATIONS_PER_STEP, spec.iterations - done) if spec.iterations > 0 else 0
        kmeans = faiss.Kmeans(
            d,
            k,
            niter=step,
            spherical=True,
            seed=spec.seed,
            init_method=faiss.ClusteringInitMethod_KMEANS_PLUS_PLUS,
            min_points_per_centroid=1,  # small sets are fine here: no warning on stderr
            max_points_per_centroid=n // k + 1,  # train on every row, no subsample
        )
        kmeans.train(x, init_centroids=centroids)
        centroids = np.ascontiguousarray(kmeans.centroids, dtype=np.float32)
        done += max(step, 1)
        progress.advance(step)
        check_cancel(progress)
    assert centroids is not None
    _, nearest = kmeans.assign(x)
    return by_size(np.asarray(nearest, dtype=np.int64))


def by_size(labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Renumber labels 0…C-1 from the largest cluster down (ties: the lower old label first).

    Parameters
    ----------
    labels : numpy.ndarray
        int64 (n,) non-negative labels, possibly with gaps.

    Returns
    -------
    numpy.ndarray
        int64 (n,).
    """
    found, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    order = np.lexsort((found, -counts))  # largest first, then the old label
    rank = np.empty(found.size, dtype=np.int64)
    rank[order] = np.arange(found.size, dtype=np.int64)
    return rank[inverse.ravel()]
