"""A clustering's labels turned into the clusters to store: named by keywords, with error rates.

Shared by the ``cluster`` (HDBSCAN on the map) and ``cluster_sphere`` (spherical k-means on the
vectors) stages, so both clusterings are named and scored the same way.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from analysis.map.clustering import cluster_error_rates
from analysis.map.keywords import cluster_keywords, cluster_name
from storage.stage_outputs import NewCluster


def named_clusters(
    labels: NDArray[np.int64], texts: list[str], wrong: NDArray[np.bool_] | None
) -> list[NewCluster]:
    """The clusters of a labelling, each named by its c-TF-IDF keywords, with its error rate.

    Parameters
    ----------
    labels : numpy.ndarray
        int64 (n,): each row's cluster, -1 for noise (noise is no cluster).
    texts : list of str
        The n texts the keywords are counted in.
    wrong : numpy.ndarray or None
        bool (n,): rows the model run got wrong; None without a run (error rates are then None).

    Returns
    -------
    list of NewCluster
        One per cluster label, in label order; ``rows`` are the members' row indices (int64).
    """
    rates = cluster_error_rates(labels, wrong)
    keywords = cluster_keywords(texts, labels)
    return [
        NewCluster(
            label,
            cluster_name(keywords.get(label, []), label),
            keywords.get(label, []),
            np.flatnonzero(labels == label),
            rate,
        )
        for label, rate in rates.items()
    ]
