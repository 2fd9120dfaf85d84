"""Label issues: confident learning (cleanlab), a cross-validated probe, and kNN label consistency."""

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


def probe_probabilities(
    vectors: NDArray[np.float32], labels: NDArray[np.int64], n_classes: int, folds: int = 5, seed: int = 0
) -> NDArray[np.float64]:
    """Out-of-fold class probabilities from a logistic-regression probe on the embeddings.

    Used when a model run has predicted labels but no probabilities: confident learning needs
    out-of-sample probabilities, which cross-validation provides (as cleanlab's documentation advises).

    Parameters
    ----------
    vectors : numpy.ndarray
        float32 (n, d) normalised embeddings.
    labels : numpy.ndarray
        int64 (n,) class index per row.
    n_classes : int
        K, the size of the label set (classes absent from ``labels`` get probability 0).
    folds : int
        Stratified folds (fewer when the rarest class has fewer rows).

    Returns
    -------
    numpy.ndarray
        float64 (n, K), rows summing to 1.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    present, codes = np.unique(labels, return_inverse=True)
    smallest = int(np.bincount(codes).min())
    splits = max(2, min(folds, smallest))
    out = np.zeros((len(labels), n_classes))
    if smallest < 2 or len(present) < 2:
        out[np.arange(len(labels)), labels] = 1.0  # too few rows to cross-validate: no evidence
        return out
    for train, test in StratifiedKFold(splits, shuffle=True, random_state=seed).split(vectors, codes):
        model = LogisticRegression(C=10.0, max_iter=1000)
        model.fit(vectors[train], codes[train])
        fold = np.zeros((len(test), len(present)))
        fold[:, model.classes_] = model.predict_proba(vectors[test])
        out[np.ix_(test, present)] = fold
    return np.asarray(out / out.sum(axis=1, keepdims=True), dtype=np.float64)


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


VARIANTS = ("confident_learning", "knn", "combined")


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
    the mean of both scores.

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
    cl = confident_learning(labels, probs)
    mask = cl.mask & (disagreement > knn_threshold / 2)
    return LabelIssues(mask, (cl.score + disagreement) / 2, cl.suggested)
