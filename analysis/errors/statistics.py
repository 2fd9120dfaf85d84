"""Statistics of error modes: outliers by neighbour distance, error-dense clusters, annotator disagreement."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.stats import bh_q_values


def knn_distance_outliers(
    knn_distances: NDArray[np.float32], share: float
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Flag the ``share`` of rows farthest from their k-th nearest neighbour.

    Returns
    -------
    mask : numpy.ndarray
        bool (n,).
    score : numpy.ndarray
        float64 (n,): cosine distance to the k-th neighbour (the kNN-distance outlier score of
        Ramaswamy, Rastogi & Shim, SIGMOD 2000).
    """
    score = knn_distances[:, -1].astype(np.float64)
    if score.size == 0 or share <= 0:
        return np.zeros(score.size, dtype=bool), score
    cut = np.quantile(score, 1.0 - share)
    return score > cut, score


@dataclass(frozen=True)
class ClusterErrorTest:
    """A cluster's error rate against the run's, with its one-sided binomial p-value and BH q-value."""

    label: int
    size: int
    errors: int
    error_rate: float
    p_value: float
    q_value: float


def error_dense_clusters(
    labels: NDArray[np.int64], wrong: NDArray[np.bool_], alpha: float = 0.05
) -> list[ClusterErrorTest]:
    """Test each cluster for an error rate above the whole run's.

    One-sided exact binomial test (``scipy.stats.binomtest``, alternative "greater") of the cluster's
    errors against the overall error rate, corrected across clusters by Benjamini–Hochberg
    (``scipy.stats.false_discovery_control``).

    Returns
    -------
    list of ClusterErrorTest
        Every cluster (noise excluded), with ``q_value < alpha`` marking the error-dense ones; sorted
        by q-value.
    """
    from scipy.stats import binomtest

    rate = float(wrong.mean()) if wrong.size else 0.0
    clusters = [int(c) for c in np.unique(labels) if c >= 0]
    if not clusters or rate in (0.0, 1.0):
        return []
    tests = []
    for c in clusters:
        members = labels == c
        size, errors = int(members.sum()), int(wrong[members].sum())
        tests.append((c, size, errors, binomtest(errors, size, rate, alternative="greater").pvalue))
    q = bh_q_values([t[3] for t in tests])
    out = [
        ClusterErrorTest(c, n, e, e / n, float(p), float(qv))
        for (c, n, e, p), qv in zip(tests, q, strict=True)
    ]
    return sorted(out, key=lambda t: (t.q_value, -t.error_rate))


def annotator_disagreement(
    annotations: list[list[str | None]], confidence: NDArray[np.float64] | None, min_confidence: float
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Rows whose annotators disagree, or whose annotator confidence is low.

    Parameters
    ----------
    annotations : list of list
        One list per annotator column (the label column first), each of length n.
    confidence : numpy.ndarray or None
        float64 (n,) annotator-confidence column (e.g. the airline tweets' ``airline_sentiment_confidence``).
    min_confidence : float
        Rows below it are flagged.

    Returns
    -------
    mask : numpy.ndarray
        bool (n,).
    score : numpy.ndarray
        float64 (n,): share of annotators not giving the majority label, or 1 - confidence, the larger.
    """
    n = len(annotations[0]) if annotations else (0 if confidence is None else len(confidence))
    score = np.zeros(n)
    if len(annotations) >= 2:
        for i, votes in enumerate(zip(*annotations, strict=True)):
            given = [v for v in votes if v is not None]
            if len(given) >= 2:
                top = max(given.count(v) for v in set(given))
                score[i] = 1.0 - top / len(given)
    mask = score > 0
    if confidence is not None:
        low = np.nan_to_num(confidence, nan=1.0) < min_confidence
        mask |= low
        score = np.maximum(score, 1.0 - np.nan_to_num(confidence, nan=1.0))
    return mask, score
