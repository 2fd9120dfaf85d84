"""Stage ``cluster``: HDBSCAN on the 2-D map, named by c-TF-IDF keywords, with each cluster's error rate.

HDBSCAN (Campello, Moulavi & Sander, PAKDD 2013; McInnes, Healy & Astels, JOSS 2017). Three
implementations are registered as backends (:data:`HDBSCAN_BACKENDS`) and chosen by
:attr:`ClusterSpec.backend`, which is part of the stage's cache key: ``fast_hdbscan`` (Leland McInnes'
numba implementation with a parallel Borůvka spanning tree; the default because it is the fastest
on 2-D maps of 100k-1M points with the same clusters, see benchmarks/bench_scale.py), ``hdbscan``
(the scikit-learn-contrib package) and ``sklearn`` (``sklearn.cluster.HDBSCAN``). Clustering the map
rather than the 384-D vectors is what Lilac and BERTopic do after UMAP: density is meaningful there,
and the clusters match what the user sees. A clustering of the vectors themselves, with no noise, is
the ``cluster_sphere`` stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel
from storage.errors import StageInputError


@dataclass(frozen=True)
class ClusterSpec:
    """Parameters of the ``cluster`` stage.

    Attributes
    ----------
    min_cluster_size : int
        HDBSCAN's smallest cluster; 0 picks :func:`resolved_min_cluster_size`.
    min_samples : int or None
        HDBSCAN's density smoothing (the k of the core distance); None picks
        :func:`resolved_min_samples`.
    max_cluster_share : float
        No cluster holds more than this share of the rows (HDBSCAN's ``max_cluster_size``); 0 for no
        limit; never below ten times min_cluster_size. On a map without clear gaps (100k emoji
        tweets) HDBSCAN otherwise selects one or two giant clusters, a map that says nothing; with
        0.1 it selects 42 clusters there.
    backend : str
        ``fast_hdbscan`` (default), ``hdbscan`` or ``sklearn``.
    """

    min_cluster_size: int = 0
    min_samples: int | None = None
    max_cluster_share: float = 0.1
    backend: str = "fast_hdbscan"


def resolved_min_cluster_size(spec: ClusterSpec, n: int) -> int:
    """The min_cluster_size used for n rows: the spec's, or max(10, n // 300) when it is 0 (about
    3 clusters per 1,000 rows at most, never fewer than 10 rows a cluster)."""
    return spec.min_cluster_size or max(10, n // 300)


def resolved_min_samples(spec: ClusterSpec, n: int) -> int:
    """The min_samples used: the spec's, or min(min_cluster_size, 10) when None.

    HDBSCAN's own default (min_samples = min_cluster_size) makes the core distance of a 100k map the
    distance to the 333rd neighbour: every point of a sparse fringe is noise (44 % of the emoji map).
    A small k keeps the clusters' number (that is min_cluster_size's job) and leaves as noise only
    the points that are far from everything."""
    if spec.min_samples is not None:
        return spec.min_samples
    return min(resolved_min_cluster_size(spec, n), 10)


def _fast_hdbscan(coords: NDArray[np.float64], size: int, samples: int, largest: float) -> NDArray[np.int64]:
    import fast_hdbscan

    model = fast_hdbscan.HDBSCAN(min_cluster_size=size, min_samples=samples, max_cluster_size=largest)
    return np.asarray(model.fit_predict(coords), np.int64)


def _hdbscan(coords: NDArray[np.float64], size: int, samples: int, largest: float) -> NDArray[np.int64]:
    import os

    import hdbscan

    model = hdbscan.HDBSCAN(
        min_cluster_size=size,
        min_samples=samples,
        max_cluster_size=0 if largest == np.inf else int(largest),
        core_dist_n_jobs=os.cpu_count() or 1,
    )
    return np.asarray(model.fit_predict(coords), np.int64)


def _sklearn(coords: NDArray[np.float64], size: int, samples: int, largest: float) -> NDArray[np.int64]:
    from sklearn.cluster import HDBSCAN

    limit = None if largest == np.inf else int(largest)
    model = HDBSCAN(min_cluster_size=size, min_samples=samples, max_cluster_size=limit, copy=True, n_jobs=-1)
    return np.asarray(model.fit_predict(coords), np.int64)


Backend = Callable[[NDArray[np.float64], int, int, float], NDArray[np.int64]]

HDBSCAN_BACKENDS: dict[str, Backend] = {
    "fast_hdbscan": _fast_hdbscan,
    "hdbscan": _hdbscan,
    "sklearn": _sklearn,
}


def hdbscan_labels(coords: NDArray[np.float32], spec: ClusterSpec, progress: Progress) -> NDArray[np.int64]:
    """Cluster 2-D coordinates.

    Parameters
    ----------
    coords : numpy.ndarray
        float32 (n, 2).
    spec : ClusterSpec
    progress : analysis.progress.Progress
        Cancel is checked before the clustering (one call, seconds at 1M points).

    Returns
    -------
    numpy.ndarray
        int64 (n,): cluster label per row, 0…C-1 (largest cluster first), -1 for noise.

    Raises
    ------
    storage.errors.StageInputError
        When ``spec.backend`` is not a registered backend.
    """
    if spec.backend not in HDBSCAN_BACKENDS:
        raise StageInputError(
            f"Unknown clustering backend '{spec.backend}'; use one of {', '.join(HDBSCAN_BACKENDS)}."
        )
    check_cancel(progress)
    n = coords.shape[0]
    size = resolved_min_cluster_size(spec, n)
    if n < 2 * size:
        return np.full(n, -1, dtype=np.int64)
    samples = resolved_min_samples(spec, n)
    progress.message(f"Clustering {n:,} points (HDBSCAN, min cluster size {size}, min samples {samples})")
    # The cap never goes below ten minimum-size clusters, so a small dataset's real clusters stay whole.
    largest = max(10.0 * size, spec.max_cluster_share * n) if spec.max_cluster_share > 0 else np.inf
    labels = HDBSCAN_BACKENDS[spec.backend](coords.astype(np.float64), size, samples, largest)
    progress.advance(n)
    return by_size(labels)


def by_size(labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Renumber clusters largest first (0 is the largest), so that backends that number clusters
    differently give the same labels for the same clusters; -1 stays noise."""
    clusters, counts = np.unique(labels[labels >= 0], return_counts=True)
    order = clusters[np.lexsort((clusters, -counts))]
    mapping = np.full(int(labels.max(initial=-1)) + 2, -1, dtype=np.int64)
    mapping[order + 1] = np.arange(len(order))
    return mapping[labels + 1]


def cluster_error_rates(
    labels: NDArray[np.int64], wrong: NDArray[np.bool_] | None
) -> dict[int, float | None]:
    """Return the share of misclassified rows per cluster (None without a model run)."""
    clusters = [int(c) for c in np.unique(labels) if c >= 0]
    if wrong is None:
        return dict.fromkeys(clusters)
    return {c: float(wrong[labels == c].mean()) for c in clusters}
