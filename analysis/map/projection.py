"""Stage ``project``: a 2-D map of the embeddings.

Map methods are registered by name (:data:`MAP_METHODS`); the method is a field of
:class:`ProjectSpec`, so it is part of the stage's cache key. ``umap`` is UMAP (McInnes, Healy &
Melville, 2018) on the precomputed neighbour graph, run epoch by epoch on every core
(:mod:`analysis.map.umap_layout`); ``pca`` is scikit-learn's PCA, also the fallback for tiny datasets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.map.umap_layout import umap_layout
from analysis.progress import Progress, check_cancel
from storage.errors import StageInputError


@dataclass(frozen=True)
class ProjectSpec:
    """Parameters of the ``project`` stage.

    Attributes
    ----------
    method : str
        A registered map method: ``umap`` or ``pca``.
    n_neighbors : int
        UMAP's neighbourhood size, the row itself included (umap-learn's default, 15).
    min_dist : float
        UMAP's minimum distance between embedded points (umap-learn's default, 0.1).
    seed : int
        Random state; fixed so the same data draws the same map.
    threads : int
        Threads of UMAP's gradient descent: 0 = one thread (bit-identical maps for the same inputs)
        up to :data:`PARALLEL_MIN_ROWS` rows, where a map takes seconds, and every core above;
        1 = always one thread. See :mod:`analysis.map.umap_layout`.
    """

    method: str = "umap"
    n_neighbors: int = 15
    min_dist: float = 0.1
    seed: int = 42
    threads: int = 0


PARALLEL_MIN_ROWS = 50_000

MapMethod = Callable[
    [NDArray[np.float32], NDArray[np.int32], NDArray[np.float32], ProjectSpec, Progress],
    NDArray[np.float32],
]


def _umap(
    vectors: NDArray[np.float32],
    knn_indices: NDArray[np.int32],
    knn_distances: NDArray[np.float32],
    spec: ProjectSpec,
    progress: Progress,
) -> NDArray[np.float32]:
    n = vectors.shape[0]
    n_neighbors = min(spec.n_neighbors, knn_indices.shape[1] + 1)
    # UMAP's graph lists the row itself first, at distance 0.
    idx = np.hstack([np.arange(n, dtype=np.int64)[:, None], knn_indices[:, : n_neighbors - 1]])
    dist = np.hstack([np.zeros((n, 1), np.float32), knn_distances[:, : n_neighbors - 1]])
    threads = spec.threads or (1 if n <= PARALLEL_MIN_ROWS else 0)
    return umap_layout(
        vectors, idx, dist, min_dist=spec.min_dist, seed=spec.seed, progress=progress, threads=threads
    )


def _pca(
    vectors: NDArray[np.float32],
    _idx: NDArray[np.int32],
    _dist: NDArray[np.float32],
    spec: ProjectSpec,
    progress: Progress,
) -> NDArray[np.float32]:
    from sklearn.decomposition import PCA

    progress.message("Projecting with PCA")
    n = vectors.shape[0]
    if n <= 2:
        return np.zeros((n, 2), np.float32)
    return np.asarray(PCA(n_components=2, random_state=spec.seed).fit_transform(vectors), np.float32)


MAP_METHODS: dict[str, MapMethod] = {"umap": _umap, "pca": _pca}


def project_2d(
    vectors: NDArray[np.float32],
    knn_indices: NDArray[np.int32],
    knn_distances: NDArray[np.float32],
    spec: ProjectSpec,
    progress: Progress,
) -> tuple[NDArray[np.float32], str]:
    """Embed the vectors in 2-D.

    Parameters
    ----------
    vectors : numpy.ndarray
        float32 (n, d), L2-normalised.
    knn_indices, knn_distances : numpy.ndarray
        (n, k) neighbour graph without the row itself (from :func:`analysis.map.neighbours.knn_graph`).
    spec : ProjectSpec
    progress : analysis.progress.Progress
        Per epoch for UMAP; Cancel is honoured between epochs.

    Returns
    -------
    coords : numpy.ndarray
        float32 (n, 2).
    method : str
        The method used (``pca`` when n is too small for UMAP).

    Raises
    ------
    storage.errors.StageInputError
        When ``spec.method`` is not a registered map method.
    analysis.progress.Cancelled
        When cancelled.
    """
    if spec.method not in MAP_METHODS:
        raise StageInputError(f"Unknown map method '{spec.method}'; use one of {', '.join(MAP_METHODS)}.")
    check_cancel(progress)
    method = spec.method
    if method == "umap" and (vectors.shape[0] < 3 * spec.n_neighbors or knn_indices.shape[1] < 1):
        method = "pca"
    coords = MAP_METHODS[method](vectors, knn_indices, knn_distances, spec, progress)
    check_cancel(progress)
    return np.asarray(coords, dtype=np.float32), method
