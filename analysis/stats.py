"""The statistics every view reports with: Wilson intervals, two-proportion tests, Benjamini–Hochberg
q-values and paired differences of accuracy. Used by slices, drift, diffs and error modes alike."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Z95 = 1.959963984540054


def wilson_interval(
    successes: NDArray[np.integer] | int, trials: NDArray[np.integer] | int, z: float = Z95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """95% Wilson score interval of a proportion, vectorised.

    The closed form of Wilson (1927), the method scipy's ``BinomTestResult.proportion_ci(method="wilson")``
    and statsmodels' ``proportion_confint(method="wilson")`` compute one interval at a time; written
    out here so that a million-row slice table costs microseconds (tested against statsmodels).

    Returns
    -------
    low, high : numpy.ndarray
        float64, NaN where there are no trials.
    """
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.where(n > 0, centre - half, np.nan), np.where(n > 0, centre + half, np.nan)


def two_proportion_p_value(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value that two proportions differ: the two-proportion z-test, computed as the
    uncorrected chi-square test of the 2×2 table (``scipy.stats.chi2_contingency``), which it equals."""
    from scipy.stats import chi2_contingency

    if min(n1, n2) == 0:
        return float("nan")
    table = np.array([[k1, n1 - k1], [k2, n2 - k2]], dtype=np.float64)
    if (table.sum(axis=0) == 0).any():
        return 1.0
    return float(chi2_contingency(table, correction=False).pvalue)


def bh_q_values(p_values: Sequence[float]) -> NDArray[np.float64]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the order given
    (``scipy.stats.false_discovery_control(method="bh")``; Benjamini & Hochberg, 1995).

    Returns
    -------
    numpy.ndarray
        float64 of the same length; empty for no p-values.
    """
    from scipy.stats import false_discovery_control

    if len(p_values) == 0:
        return np.zeros(0)
    return np.asarray(false_discovery_control(list(p_values), method="bh"), dtype=np.float64)


def paired_accuracy_difference(
    correct_a: NDArray[np.bool_], correct_b: NDArray[np.bool_]
) -> tuple[float, float, float]:
    """Accuracy of run B minus run A on the same rows, with a 95% Wald interval for paired proportions.

    Var(d) = (b + c − (b − c)² / n) / n², b and c the discordant counts (Agresti & Min, 2005).

    Returns
    -------
    difference, low, high : float
    """
    n = correct_a.size
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    b = int((correct_a & ~correct_b).sum())
    c = int((~correct_a & correct_b).sum())
    d = (c - b) / n
    se = np.sqrt(max(b + c - (b - c) ** 2 / n, 0.0)) / n
    return d, d - Z95 * se, d + Z95 * se
