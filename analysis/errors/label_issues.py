"""Label issues: confident learning (cleanlab), kNN label consistency, and both ranked together."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class LabelIssues:
    """Rows whose given label looks wrong.

    Attributes
    ----------
    mask : numpy.ndarray
        bool (n,), True for a label issue.
    score : numpy.ndarray
        float64 (n,) in [0, 1], higher is more likely wrong (1 - self-confidence for confident
        learning, the neighbour disagreement for kNN, their mean when combined).
    suggested : numpy.ndarray
        int64 (n,) class index suggested instead of the given label.
    """

    mask: NDArray[np.bool_]
    score: NDArray[np.float64]
    suggested: NDArray[np.int64]


def confident_learning(labels: NDArray[np.int64], probs: NDArray[np.floating]) -> LabelIssues:
    """Find label issues by confident learning.

    Parameters
    ----------
    labels : numpy.ndarray
        int64 (n,) given class index per row.
    probs : numpy.ndarray
        (n, K) out-of-sample class probabilities.

    Returns
    -------
    LabelIssues
        ``mask`` from cleanlab's ``find_label_issues`` with its default ``filter_by="prune_by_noise_rate"``;
        ``score`` is 1 - self-confidence (the probability of the given label), the ranking cleanlab
        uses with ``return_indices_ranked_by="self_confidence"``; ``suggested`` is the argmax class.

    Notes
    -----
    Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR
    2021, through the ``cleanlab`` library. ``n_jobs=1``: cleanlab's worker processes must not be forked
    from a threaded GUI.
    """
    from cleanlab.filter import find_label_issues

    p = np.asarray(probs, dtype=np.float64)
    p = p / p.sum(axis=1, keepdims=True)
    mask = np.asarray(find_label_issues(labels, p, filter_by="prune_by_noise_rate", n_jobs=1), dtype=bool)
    self_confidence = p[np.arange(len(labels)), labels]
    return LabelIssues(mask, 1.0 - self_confidence, p.argmax(axis=1).astype(np.int64))


def knn_label_disagreement(knn_indices: NDArray[np.int32], labels: NDArray[np.int64]) -> NDArray[np.float64]:
    """Share of each row's nearest neighbours whose label differs from the row's own.

    Parameters
    ----------
    knn_indices : numpy.ndarray
        int32 (n, k) neighbours in embedding space, the row itself excluded; -1 marks a neighbour
        that does not vote (e.g. an unlabelled row).
    labels : numpy.ndarray
        int64 (n,).

    Returns
    -------
    numpy.ndarray
        float64 (n,) in [0, 1] (the kNN label-consistency score of, e.g., Cleanlab's Datalab and
        Deep k-NN, Bahri et al., ICML 2020); 0 for a row with no voting neighbour.
    """
    valid = knn_indices >= 0
    differs = (labels[np.where(valid, knn_indices, 0)] != labels[:, None]) & valid
    return np.asarray(differs.sum(axis=1) / np.maximum(valid.sum(axis=1), 1), dtype=np.float64)


def knn_suggestion(
    knn_indices: NDArray[np.int32], labels: NDArray[np.int64], n_classes: int
) -> NDArray[np.int64]:
    """The majority label among each row's voting neighbours (ties to the lowest class index)."""
    valid = (knn_indices >= 0).ravel()
    rows = np.repeat(np.arange(len(labels)), knn_indices.shape[1])[valid]
    counts = np.zeros((len(labels), n_classes), dtype=np.int64)
    np.add.at(counts, (rows, labels[knn_indices.ravel()[valid]]), 1)
    return np.asarray(counts.argmax(axis=1), dtype=np.int64)


VARIANTS = ("confident_learning", "knn", "combined", "ranked")


def ranked_issues(
    labels: NDArray[np.int64], probs: NDArray[np.floating], disagreement: NDArray[np.float64]
) -> LabelIssues:
    """Rows ranked by the mean of 1 - self-confidence and the neighbours' disagreement, the first N
    flagged, N being confident learning's estimate of how many labels are wrong.

    Two kinds of evidence (the model's and the neighbourhood's) ranked together, cut where confident
    learning counts the noise: cleanlab's ``num_label_issues`` (Northcutt et al., JAIR 2021, the
    off-diagonal mass of the calibrated confident joint). A reviewer works down the ranked list.
    """
    from cleanlab.count import num_label_issues

    p = np.asarray(probs, dtype=np.float64)
    p = p / p.sum(axis=1, keepdims=True)
    score = (1.0 - p[np.arange(len(labels)), labels] + disagreement) / 2
    count = int(num_label_issues(labels, p))
    mask = np.zeros(len(labels), dtype=bool)
    mask[np.argsort(-score, kind="stable")[:count]] = True
    return LabelIssues(mask, score, p.argmax(axis=1).astype(np.int64))


def find_issues(
    variant: str,
    labels: NDArray[np.int64],
    probs: NDArray[np.floating] | None,
    knn_indices: NDArray[np.int32] | None,
    n_classes: int,
    knn_threshold: float = 0.5,
) -> LabelIssues:
    """Label issues by one of :data:`VARIANTS`.

    ``confident_learning``: cleanlab on ``probs``. ``knn``: rows whose neighbour disagreement exceeds
    ``knn_threshold``, suggested label the neighbours' majority. ``combined``: rows flagged by
    confident learning whose neighbours also disagree (disagreement > ``knn_threshold`` / 2), score
    the mean of both scores. ``ranked``: see :func:`ranked_issues`.

    Raises
    ------
    ValueError
        When the variant needs an input that is missing, or is unknown.
    """
    if variant not in VARIANTS:
        raise ValueError(f"Unknown label-issue method '{variant}'; use one of {', '.join(VARIANTS)}.")
    if variant != "knn" and probs is None:
        raise ValueError(f"'{variant}' needs class probabilities.")
    if variant != "confident_learning" and knn_indices is None:
        raise ValueError(f"'{variant}' needs the neighbour graph (run the neighbours stage).")
    if variant == "confident_learning":
        assert probs is not None
        return confident_learning(labels, probs)
    assert knn_indices is not None
    disagreement = knn_label_disagreement(knn_indices, labels)
    if variant == "knn":
        return LabelIssues(
            disagreement > knn_threshold, disagreement, knn_suggestion(knn_indices, labels, n_classes)
        )
    assert probs is not None
    if variant == "ranked":
        return ranked_issues(labels, probs, disagreement)
    cl = confident_learning(labels, probs)
    mask = cl.mask & (disagreement > knn_threshold / 2)
    return LabelIssues(mask, (cl.score + disagreement) / 2, cl.suggested)
