"""Stage ``cluster``: HDBSCAN on the 2-D map, named by c-TF-IDF keywords, with each cluster's error rate.

HDBSCAN (Campello, Moulavi & Sander, PAKDD 2013; McInnes et al., JOSS 2017) through scikit-learn's
``sklearn.cluster.HDBSCAN``. Clustering the map rather than the 384-D vectors is what Lilac and
BERTopic do after UMAP: density is meaningful there, and the clusters match what the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel


@dataclass(frozen=True)
class ClusterSpec:
    """Parameters of the ``cluster`` stage.

    Attributes
    ----------
    min_cluster_size : int
        HDBSCAN's smallest cluster; 0 picks max(10, n // 300) (a heuristic: about 3 clusters per 1,000
        rows at most, never fewer than 10 rows a cluster).
    min_samples : int or None
        HDBSCAN's density smoothing; None uses min_cluster_size (scikit-learn's default).
    """

    min_cluster_size: int = 0
    min_samples: int | None = None


def resolved_min_cluster_size(spec: ClusterSpec, n: int) -> int:
    """Return the min_cluster_size actually used for n rows."""
    return spec.min_cluster_size or max(10, n // 300)


def hdbscan_labels(coords: NDArray[np.float32], spec: ClusterSpec, progress: Progress) -> NDArray[np.int64]:
    """Cluster 2-D coordinates.

    Parameters
    ----------
    coords : numpy.ndarray
        float32 (n, 2).

    Returns
    -------
    numpy.ndarray
        int64 (n,): cluster label per row, 0…C-1, -1 for noise.
    """
    from sklearn.cluster import HDBSCAN

    check_cancel(progress)
    n = coords.shape[0]
    size = resolved_min_cluster_size(spec, n)
    if n < 2 * size:
        return np.full(n, -1, dtype=np.int64)
    progress.message(f"Clustering {n:,} points (HDBSCAN, min cluster size {size})")
    model = HDBSCAN(min_cluster_size=size, min_samples=spec.min_samples, copy=True)
    labels = model.fit_predict(coords.astype(np.float64))
    progress.advance(n)
    return np.asarray(labels, dtype=np.int64)


def cluster_error_rates(
    labels: NDArray[np.int64], wrong: NDArray[np.bool_] | None
) -> dict[int, float | None]:
    """Return the share of misclassified rows per cluster (None without a model run)."""
    clusters = [int(c) for c in np.unique(labels) if c >= 0]
    if wrong is None:
        return dict.fromkeys(clusters)
    return {c: float(wrong[labels == c].mean()) for c in clusters}
