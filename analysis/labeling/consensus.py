"""Consensus labels, annotator quality and the rows annotators disagree on most.

Consensus and quality come from CROWDLAB (Goh, Tkachenko & Mueller 2022, "CROWDLAB: Supervised
learning to infer consensus labels and quality scores for data with multiple annotators"), through
cleanlab's ``cleanlab.multiannotator.get_label_quality_multiannotator``. CROWDLAB weighs each
annotator by their agreement with the others and a classifier's predicted probabilities by its
agreement with the consensus. When the version has a model run whose classes cover the labels, its
probabilities are the classifier (the better choice: a second opinion). Without one, the classifier
is the row's own vote shares smoothed by adding one vote to every label (Laplace): it then repeats
the votes, so the consensus is close to a majority vote weighted by annotator quality, and the
quality scores rank annotators rather than measure them on an absolute scale.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.labeling.matrix import AnnotationMatrix

VOTES = "votes"  # the probabilities' source when no model run is used


@dataclass(frozen=True)
class Consensus:
    """CROWDLAB's consensus of an :class:`AnnotationMatrix` (n rows, m annotators, k labels).

    Attributes
    ----------
    label : numpy.ndarray
        int64 (n,): consensus label (index into ``matrix.labels``).
    quality : numpy.ndarray
        float64 (n,): consensus quality score in [0, 1] (low: the consensus is likely wrong).
    agreement : numpy.ndarray
        float64 (n,): share of the row's annotators who gave the consensus label.
    annotator_quality : numpy.ndarray
        float64 (m,): CROWDLAB's annotator quality in [0, 1].
    annotator_agreement : numpy.ndarray
        float64 (m,): share of an annotator's labels equal to the consensus (rows with two labels
        or more).
    worst_class : numpy.ndarray
        int64 (m,): the label each annotator gets wrong most (index into ``matrix.labels``).
    source : str
        ``votes`` or the name of the model run whose probabilities were used.
    notes : tuple of str
        cleanlab's warnings, if any.
    """

    label: NDArray[np.int64]
    quality: NDArray[np.float64]
    agreement: NDArray[np.float64]
    annotator_quality: NDArray[np.float64]
    annotator_agreement: NDArray[np.float64]
    worst_class: NDArray[np.int64]
    source: str = VOTES
    notes: tuple[str, ...] = ()


def vote_probabilities(counts: NDArray[np.int64], smoothing: float = 1.0) -> NDArray[np.float64]:
    """Each row's vote shares with ``smoothing`` votes added to every label.

    Parameters
    ----------
    counts : numpy.ndarray
        int (n, k) rows × labels counts.
    smoothing : float, default 1.0
        Votes added to every label (1: Laplace's rule of succession).

    Returns
    -------
    numpy.ndarray
        float64 (n, k), rows summing to 1.
    """
    smoothed = np.asarray(counts, dtype=np.float64) + smoothing
    return np.asarray(smoothed / smoothed.sum(axis=1, keepdims=True), dtype=np.float64)


def crowdlab(
    matrix: AnnotationMatrix, probabilities: NDArray[np.float64] | None = None, source: str = VOTES
) -> Consensus:
    """Consensus labels and annotator quality by CROWDLAB.

    Parameters
    ----------
    matrix : AnnotationMatrix
        n rows, m annotators, k labels.
    probabilities : numpy.ndarray, optional
        float (n, k): a classifier's class probabilities on the matrix's rows, columns in the order of
        ``matrix.labels``; default :func:`vote_probabilities` of the matrix.
    source : str
        What ``probabilities`` are (a run's name), for the result.

    Returns
    -------
    Consensus
        With a single label given (k = 1) that label, quality 1, and no CROWDLAB.

    Raises
    ------
    ValueError
        When ``probabilities`` does not have shape (n, k).
    """
    n, m = matrix.codes.shape
    k = len(matrix.labels)
    counts = matrix.counts
    if probabilities is None:
        probabilities, source = vote_probabilities(counts), VOTES
    if probabilities.shape != (n, k):
        raise ValueError(f"probabilities have shape {probabilities.shape}, expected {(n, k)}")
    if k < 2:
        ones = np.ones(n)
        return Consensus(
            np.zeros(n, dtype=np.int64),
            ones,
            ones,
            np.ones(m),
            np.ones(m),
            np.zeros(m, dtype=np.int64),
            source,
        )
    from cleanlab.multiannotator import get_label_quality_multiannotator

    labels = np.where(matrix.codes >= 0, matrix.codes, np.nan).astype(np.float64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = get_label_quality_multiannotator(
            labels,
            np.asarray(probabilities, dtype=np.float64),
            consensus_method="best_quality",
            verbose=False,
        )
    quality = out["label_quality"]
    stats = out["annotator_stats"].sort_index()  # indexed by annotator position
    notes = tuple(dict.fromkeys(str(w.message).splitlines()[0] for w in caught))
    return Consensus(
        label=quality["consensus_label"].to_numpy().astype(np.int64),
        quality=quality["consensus_quality_score"].to_numpy().astype(np.float64),
        agreement=quality["annotator_agreement"].to_numpy().astype(np.float64),
        annotator_quality=stats["annotator_quality"].to_numpy().astype(np.float64),
        annotator_agreement=stats["agreement_with_consensus"].to_numpy().astype(np.float64),
        worst_class=stats["worst_class"].to_numpy().astype(np.int64),
        source=source,
        notes=notes,
    )


def disagreements(matrix: AnnotationMatrix, consensus: Consensus) -> pl.DataFrame:
    """The rows annotators disagree on, most disagreement first.

    A row's disagreement is the share of its annotators who did not give its most given label
    (0: unanimous; with 3 annotators split 2/1, 1/3). Ties are ranked by the spread of the labels on
    the scale (largest minus smallest position in ``matrix.labels``: "1" against "-3" before "1"
    against "0"), then by the number of annotators, then by row id.

    Returns
    -------
    polars.DataFrame
        One row per row with disagreement > 0: ``row_id`` (int64), ``annotators`` (int64),
        ``disagreement`` (float64), ``spread`` (int64), ``labels`` (str, e.g. ``"1 ×2, -2 ×1"`` in
        scale order), ``consensus`` (str) and ``quality`` (float64, CROWDLAB's consensus quality).
    """
    counts = matrix.counts
    n_i = counts.sum(axis=1)
    share = counts.max(axis=1) / np.maximum(n_i, 1)
    disagreement = np.where(n_i >= 2, 1.0 - share, 0.0)
    given = matrix.codes >= 0
    low = np.where(given, matrix.codes, np.iinfo(np.int64).max).min(axis=1)
    high = np.where(given, matrix.codes, -1).max(axis=1)
    spread = np.where(n_i >= 2, high - low, 0)
    keep = np.flatnonzero(disagreement > 0)
    names = matrix.labels
    text = [", ".join(f"{names[j]} ×{counts[i, j]}" for j in np.flatnonzero(counts[i])) for i in keep]
    frame = pl.DataFrame(
        {
            "row_id": matrix.row_ids[keep],
            "annotators": n_i[keep].astype(np.int64),
            "disagreement": disagreement[keep],
            "spread": spread[keep].astype(np.int64),
            "labels": text,
            "consensus": [names[c] for c in consensus.label[keep]],
            "quality": consensus.quality[keep],
        },
        schema={
            "row_id": pl.Int64,
            "annotators": pl.Int64,
            "disagreement": pl.Float64,
            "spread": pl.Int64,
            "labels": pl.String,
            "consensus": pl.String,
            "quality": pl.Float64,
        },
    )
    return frame.sort(
        ["disagreement", "spread", "annotators", "row_id"], descending=[True, True, True, False]
    )
