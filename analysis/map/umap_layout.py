"""UMAP's layout optimisation run epoch by epoch, so that a map of 100k-1M rows reports progress and
stops within a second of Cancel.

umap-learn's ``UMAP.fit_transform`` offers no callback, runs single-threaded whenever a
``random_state`` is given, and at 100k rows its spectral initialisation can fail (the synthetic
benchmark spent 289 s there). This module keeps umap-learn's mathematics and calls its own pieces:
``fuzzy_simplicial_set`` (the graph), ``make_epochs_per_sample`` and ``find_ab_params`` (the
schedule) and its numba kernel for one epoch of stochastic gradient descent. What it writes itself
is the 30-line epoch loop of ``umap.layouts.optimize_layout_euclidean``, so that it can check
Cancel and advance the progress bar between epochs, and the initialisation: PCA of the vectors
(deterministic, seconds at 1M rows), as umap-learn's ``init="pca"`` does.

Both cores: the epoch kernel runs in numba's parallel mode (``threads`` > 1). umap-learn's own
parallel mode is the same kernel; its only nondeterminism is the order in which two threads move a
shared vertex within one epoch (Hogwild-style updates, Recht et al. 2011). Reproducibility therefore
comes from two rules: the same inputs give the same stage key, so the stored map is reused rather than
recomputed; and ``threads=1`` gives bit-identical maps for the same inputs and seed (tested).

Method: McInnes, Healy & Melville, "UMAP: Uniform Manifold Approximation and Projection", 2018.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel

INT32_MIN = np.iinfo(np.int32).min + 1
INT32_MAX = np.iinfo(np.int32).max - 1


def default_epochs(n: int) -> int:
    """umap-learn's default number of epochs: 500 up to 10,000 rows, 200 above."""
    return 500 if n <= 10_000 else 200


def pca_init(vectors: NDArray[np.float32], seed: int) -> NDArray[np.float32]:
    """The first two principal components of the vectors, scaled to [0, 10] as umap-learn scales
    every initialisation.

    Parameters
    ----------
    vectors : numpy.ndarray
        float32 (n, d).
    seed : int
        Seed of the randomised SVD and of the tiny jitter umap-learn adds (``noisy_scale_coords``).

    Returns
    -------
    numpy.ndarray
        float32 (n, 2), C-contiguous.
    """
    from sklearn.decomposition import PCA

    rng = np.random.RandomState(seed)
    coords = PCA(n_components=2, svd_solver="randomized", random_state=seed).fit_transform(vectors)
    coords = coords.astype(np.float32)
    coords = 10.0 * coords / np.abs(coords).max() if np.abs(coords).max() > 0 else coords
    coords = coords + rng.normal(scale=1e-4, size=coords.shape).astype(np.float32)
    span = coords.max(axis=0) - coords.min(axis=0)
    span[span == 0] = 1.0
    return np.ascontiguousarray(10.0 * (coords - coords.min(axis=0)) / span, dtype=np.float32)


def umap_layout(
    vectors: NDArray[np.float32],
    knn_indices: NDArray[np.int64],
    knn_distances: NDArray[np.float32],
    *,
    min_dist: float,
    seed: int,
    progress: Progress,
    n_epochs: int | None = None,
    threads: int = 0,
) -> NDArray[np.float32]:
    """Lay out the rows in 2-D by UMAP from a precomputed neighbour graph.

    Parameters
    ----------
    vectors : numpy.ndarray
        float32 (n, d); used for the PCA initialisation only.
    knn_indices, knn_distances : numpy.ndarray
        (n, k) neighbours *including the row itself first* at distance 0, as umap-learn expects;
        int64 indices, float32 distances.
    min_dist : float
        Minimum distance between embedded points (umap-learn's default 0.1).
    seed : int
        Random state of the initialisation and of the negative sampling.
    progress : analysis.progress.Progress
        ``total`` is the number of epochs, advanced per epoch; Cancel is checked between epochs.
    n_epochs : int, optional
        Epochs of gradient descent; umap-learn's default when None (:func:`default_epochs`).
    threads : int
        Threads of the epoch kernel; 0 takes every core numba sees, 1 is bit-reproducible.

    Returns
    -------
    numpy.ndarray
        float32 (n, 2).

    Raises
    ------
    analysis.progress.Cancelled
        When cancelled; nothing is kept.
    """
    import numba
    from umap.layouts import _get_optimize_layout_euclidean_single_epoch_fn
    from umap.umap_ import find_ab_params, fuzzy_simplicial_set, make_epochs_per_sample

    n = vectors.shape[0]
    epochs = n_epochs or default_epochs(n)
    progress.message(f"UMAP graph of {n:,} rows")
    graph, _, _ = fuzzy_simplicial_set(
        vectors,  # only its shape is read when the neighbours are given
        knn_indices.shape[1],
        np.random.RandomState(seed),
        "cosine",
        knn_indices=knn_indices,
        knn_dists=knn_distances,
    )
    graph = graph.tocoo()
    graph.sum_duplicates()
    # As umap-learn: edges too weak to be sampled once in the run are dropped.
    graph.data[graph.data < graph.data.max() / float(epochs)] = 0.0
    graph.eliminate_zeros()
    check_cancel(progress)

    progress.message(f"UMAP initialisation (PCA) of {n:,} rows")
    embedding = pca_init(vectors, seed)
    check_cancel(progress)

    a, b = find_ab_params(1.0, min_dist)
    epochs_per_sample = make_epochs_per_sample(graph.data, epochs)
    head = graph.row.astype(np.int32)
    tail = graph.col.astype(np.int32)
    rng_state = np.random.RandomState(seed).randint(INT32_MIN, INT32_MAX, 3).astype(np.int64)
    rng_per_sample = np.full((n, 3), rng_state, dtype=np.int64) + embedding[:, 0].astype(np.float64).view(
        np.int64
    ).reshape(-1, 1)
    epochs_per_negative = epochs_per_sample / 5.0  # umap-learn's negative_sample_rate
    next_negative = epochs_per_negative.copy()
    next_sample = epochs_per_sample.copy()
    unused = np.zeros(1, dtype=np.float32)
    parallel = threads != 1
    kernel = _get_optimize_layout_euclidean_single_epoch_fn(parallel)
    previous_threads = numba.get_num_threads()
    if parallel and threads > 1:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]

    progress.message(f"UMAP layout of {n:,} rows ({epochs} epochs)")
    progress.total(epochs)
    try:
        for epoch in range(epochs):
            check_cancel(progress)
            # umap-learn's learning-rate schedule: 1.0 for the first two epochs, then linear to 0
            alpha = 1.0 - max(epoch - 1, 0) / float(epochs)
            kernel(
                embedding, embedding, head, tail, n, epochs_per_sample, a, b, rng_per_sample,
                1.0, 2, True, alpha, epochs_per_negative, next_negative, next_sample, epoch,
                False, unused, unused, 0.0, 0.0, 0.0, 0.0, unused, unused, 0.0,
            )  # fmt: skip
            progress.advance(1)
    finally:
        numba.set_num_threads(previous_threads)
    return embedding
