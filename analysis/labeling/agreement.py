"""Inter-annotator agreement measures over an :class:`~analysis.labeling.matrix.AnnotationMatrix`.

- Krippendorff's alpha, nominal and ordinal: the ``krippendorff`` package (Castro, after
  Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"); any number of annotators, missing
  labels allowed, rows with one label ignored.
- Fleiss' kappa (Fleiss 1971) for a varying number of annotators per row: the observed agreement is
  the mean over rows of the share of agreeing annotator pairs, the chance agreement the sum of the
  squared label shares over all labels given. With the same number of annotators on every row this
  is Fleiss' own formula, and equals ``statsmodels.stats.inter_rater.fleiss_kappa`` (which needs
  that).
- Cohen's kappa (Cohen 1960) for each pair of annotators, on the rows both labelled:
  ``sklearn.metrics.cohen_kappa_score``.
- Specific agreement per label (Uebersax 1982; for many annotators, the share of the pairs of
  annotations including the label that agree on it): how reliably the annotators recognise each
  category, which one overall figure hides.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analysis.labeling.matrix import AnnotationMatrix

MIN_PAIR_ROWS = 2  # Cohen's kappa of a pair that shares fewer rows is not reported


def krippendorff_alpha(matrix: AnnotationMatrix, level: Literal["nominal", "ordinal"] = "nominal") -> float:
    """Krippendorff's alpha of the matrix.

    Parameters
    ----------
    matrix : AnnotationMatrix
        n rows × m annotators; its labels in scale order.
    level : {"nominal", "ordinal"}
        Level of measurement: ``ordinal`` uses the order of ``matrix.labels`` (only the order and the
        label frequencies matter, not the labels' values).

    Returns
    -------
    float
        Alpha in [-1, 1] (1: perfect agreement, 0: chance); NaN when fewer than two labels were
        given or no row has two labels.
    """
    if len(matrix.labels) < 2 or not (matrix.per_row >= 2).any():
        return float("nan")
    import krippendorff

    return float(
        krippendorff.alpha(
            reliability_data=matrix.reliability(),
            value_domain=np.arange(len(matrix.labels), dtype=np.float64),
            level_of_measurement=level,
        )
    )


def fleiss_kappa(counts: NDArray[np.int64]) -> float:
    """Fleiss' kappa of a rows × labels count table, annotators per row allowed to vary.

    Parameters
    ----------
    counts : numpy.ndarray
        int (n, k): how many annotators gave row i label j. Rows with fewer than two labels are left
        out.

    Returns
    -------
    float
        ``(P̄ - P_e) / (1 - P_e)``, with ``P̄`` the mean over rows of
        ``Σ_j n_ij (n_ij - 1) / (n_i (n_i - 1))`` and ``P_e = Σ_j p_j²``, ``p_j`` the share of label
        j among all labels of those rows; NaN when there are no such rows or ``P_e`` is 1.
    """
    counts = np.asarray(counts, dtype=np.float64)
    n_i = counts.sum(axis=1)
    counts, n_i = counts[n_i >= 2], n_i[n_i >= 2]
    if counts.shape[0] == 0:
        return float("nan")
    observed = float(np.mean((counts * (counts - 1)).sum(axis=1) / (n_i * (n_i - 1))))
    shares = counts.sum(axis=0) / counts.sum()
    chance = float((shares**2).sum())
    if chance >= 1.0:
        return float("nan")
    return (observed - chance) / (1.0 - chance)


def observed_agreement(counts: NDArray[np.int64]) -> float:
    """The share of agreeing annotator pairs, averaged over rows with two labels or more (Fleiss' P̄)."""
    counts = np.asarray(counts, dtype=np.float64)
    n_i = counts.sum(axis=1)
    keep = n_i >= 2
    if not keep.any():
        return float("nan")
    pairs = (counts[keep] * (counts[keep] - 1)).sum(axis=1) / (n_i[keep] * (n_i[keep] - 1))
    return float(pairs.mean())


def cohen_kappa_pairs(matrix: AnnotationMatrix) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Cohen's kappa of every pair of annotators on the rows both labelled.

    Returns
    -------
    kappa : numpy.ndarray
        float64 (m, m), symmetric: NaN for pairs sharing fewer than :data:`MIN_PAIR_ROWS` rows or
        whose kappa is undefined (both gave one same label throughout); 1 on the diagonal.
    shared : numpy.ndarray
        int64 (m, m): the rows each pair both labelled (the diagonal: rows each labelled).
    """
    from sklearn.metrics import cohen_kappa_score

    m = len(matrix.annotators)
    kappa = np.full((m, m), np.nan)
    given = matrix.codes >= 0
    shared = (given.T.astype(np.int64) @ given.astype(np.int64)).astype(np.int64)
    for a in range(m):
        kappa[a, a] = 1.0
        for b in range(a + 1, m):
            both = given[:, a] & given[:, b]
            if both.sum() < MIN_PAIR_ROWS:
                continue
            with warnings.catch_warnings():
                # 0/0 when both annotators gave one same label throughout: kappa is undefined (NaN);
                # newer scikit-learn says so with UserWarnings (UndefinedMetricWarning, single label)
                warnings.simplefilter("ignore", RuntimeWarning)
                warnings.simplefilter("ignore", UserWarning)
                value = cohen_kappa_score(matrix.codes[both, a], matrix.codes[both, b])
            kappa[a, b] = kappa[b, a] = float(value)
    return kappa, shared


def specific_agreement(counts: NDArray[np.int64]) -> NDArray[np.float64]:
    """Specific agreement per label over rows with two labels or more.

    Parameters
    ----------
    counts : numpy.ndarray
        int (n, k) rows × labels counts.

    Returns
    -------
    numpy.ndarray
        float64 (k,): ``Σ_i n_ij (n_ij - 1) / Σ_i n_ij (n_i - 1)``: given that one annotator chose
        label j, the chance that another annotator of the same row chose it too; NaN for a label
        never given on such rows.
    """
    counts = np.asarray(counts, dtype=np.float64)
    n_i = counts.sum(axis=1, keepdims=True)
    keep = n_i[:, 0] >= 2
    agree = (counts[keep] * (counts[keep] - 1)).sum(axis=0)
    possible = (counts[keep] * (n_i[keep] - 1)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(possible > 0, agree / np.maximum(possible, 1), np.nan)
