"""Stage ``project``: a 2-D map of the embeddings.

UMAP (McInnes, Healy & Melville, 2018, through ``umap-learn``) on the precomputed neighbour graph with
a fixed seed; PCA (scikit-learn) as the fallback for tiny datasets or on request.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel


@dataclass(frozen=True)
class ProjectSpec:
    """Parameters of the ``project`` stage.

    Attributes
    ----------
    method : str
        ``umap`` or ``pca``.
    n_neighbors : int
        UMAP's neighbourhood size, the row itself included (umap-learn's default, 15).
    min_dist : float
        UMAP's minimum distance between embedded points (umap-learn's default, 0.1).
    seed : int
        Random state; fixed so the same data draws the same map.
    """

    method: str = "umap"
    n_neighbors: int = 15
    min_dist: float = 0.1
    seed: int = 42


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

    Returns
    -------
    coords : numpy.ndarray
        float32 (n, 2).
    method : str
        The method used (``umap`` or ``pca``; PCA when n is too small for UMAP).
    """
    check_cancel(progress)
    n = vectors.shape[0]
    n_neighbors = min(spec.n_neighbors, knn_indices.shape[1] + 1)
    if spec.method == "pca" or n < 3 * spec.n_neighbors or n_neighbors < 2:
        from sklearn.decomposition import PCA

        progress.message("Projecting with PCA")
        coords = (
            PCA(n_components=2, random_state=spec.seed).fit_transform(vectors) if n > 2 else np.zeros((n, 2))
        )
        progress.advance(n)
        return np.asarray(coords, dtype=np.float32), "pca"
    import umap

    progress.message("Projecting with UMAP")
    # UMAP's precomputed graph lists the row itself first, at distance 0.
    self_idx = np.arange(n, dtype=np.int64)[:, None]
    idx = np.hstack([self_idx, knn_indices[:, : n_neighbors - 1]])
    dist = np.hstack([np.zeros((n, 1), np.float32), knn_distances[:, : n_neighbors - 1]])
    reducer = umap.UMAP(
        n_components=2,
        n_neighbors=n_neighbors,
        min_dist=spec.min_dist,
        metric="cosine",
        random_state=spec.seed,
        precomputed_knn=(idx, dist, None),
        verbose=False,
    )
    with warnings.catch_warnings():
        # Expected with a fixed seed and a precomputed graph: single-threaded, and no transform() later.
        warnings.filterwarnings("ignore", message=".*(random_state|knn_search_index).*", category=UserWarning)
        coords = reducer.fit_transform(vectors)
    check_cancel(progress)
    progress.advance(n)
    return np.asarray(coords, dtype=np.float32), "umap"
