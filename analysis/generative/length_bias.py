"""The length-bias check: does the evaluator's score rise with the response's length?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from analysis.stats import Z95

MIN_ROWS = 10


@dataclass(frozen=True)
class LengthBias:
    """Spearman's rank correlation between response length (tokens) and score.

    Attributes
    ----------
    group : str
        The run, or a cluster within it.
    rows : int
        Rows with both a length and a score.
    rho, low, high : float
        Spearman's rho and its 95% interval (Fisher z with the Bonett–Wright standard error
        sqrt((1 + rho²/2) / (n − 3))); NaN with fewer than 10 rows.
    p_value : float
        Two-sided test of rho = 0 (scipy.stats.spearmanr).
    """

    group: str
    rows: int
    rho: float
    low: float
    high: float
    p_value: float


def length_bias(lengths: NDArray[np.float64], scores: NDArray[np.float64], group: str = "all") -> LengthBias:
    """Spearman's rho between ``lengths`` and ``scores`` (float64, shape (n,), NaN ignored).

    Notes
    -----
    Interval: Fisher's z-transform with Bonett & Wright's (2000) variance for Spearman's rho. A
    judge that rewards verbosity shows a positive rho (Dubois et al. 2024, "Length-Controlled
    AlpacaEval").
    """
    keep = ~np.isnan(lengths) & ~np.isnan(scores)
    n = int(keep.sum())
    nan = float("nan")
    if n < MIN_ROWS or np.ptp(lengths[keep]) == 0 or np.ptp(scores[keep]) == 0:
        return LengthBias(group, n, nan, nan, nan, nan)
    result = stats.spearmanr(lengths[keep], scores[keep])
    rho, p = float(result.statistic), float(result.pvalue)
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    se = np.sqrt((1 + rho**2 / 2) / (n - 3))
    return LengthBias(group, n, rho, float(np.tanh(z - Z95 * se)), float(np.tanh(z + Z95 * se)), p)


def length_bias_by_group(
    lengths: NDArray[np.float64],
    scores: NDArray[np.float64],
    groups: NDArray[np.int64],
    names: dict[int, str],
) -> list[LengthBias]:
    """:func:`length_bias` within each group (cluster) of at least 10 scored rows, strongest first;
    group -1 (noise) is left out."""
    out = []
    for g in sorted(set(groups.tolist()) - {-1}):
        mask = groups == g
        bias = length_bias(lengths[mask], scores[mask], names.get(int(g), str(g)))
        if not np.isnan(bias.rho):
            out.append(bias)
    return sorted(out, key=lambda b: -abs(b.rho))
