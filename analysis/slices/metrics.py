"""Slice metrics with honest statistics: Wilson intervals, per-class scores, calibration, BH correction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


def expected_calibration_error(
    confidence: NDArray[np.floating], correct: NDArray[np.bool_], bins: int = 15
) -> float:
    """Expected calibration error with equal-width confidence bins (Guo et al., ICML 2017; 15 bins).

    Σ_b |B_b|/n · |accuracy(B_b) − mean confidence(B_b)|.
    """
    if confidence.size == 0:
        return float("nan")
    which = np.minimum((confidence * bins).astype(np.int64), bins - 1)
    count = np.bincount(which, minlength=bins).astype(np.float64)
    acc = np.bincount(which, weights=correct.astype(np.float64), minlength=bins)
    conf = np.bincount(which, weights=confidence.astype(np.float64), minlength=bins)
    used = count > 0
    return float(np.sum(np.abs(acc[used] - conf[used])) / confidence.size)


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


@dataclass
class SliceMetrics:
    """Metrics of one slice against the rest of the data."""

    name: str
    rows: int
    share: float
    accuracy: float
    accuracy_low: float
    accuracy_high: float
    error_rate: float
    rest_error_rate: float
    p_value: float
    q_value: float = float("nan")
    ece: float | None = None
    per_class: list[dict[str, Any]] = field(default_factory=list)
    macro: dict[str, float] = field(default_factory=dict)
    micro: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return self.__dict__.copy()


def slice_metrics(
    name: str,
    mask: NDArray[np.bool_],
    given: NDArray[np.str_] | NDArray[np.object_],
    predicted: NDArray[np.str_] | NDArray[np.object_],
    classes: list[str],
    confidence: NDArray[np.floating] | None = None,
    per_class: bool = True,
) -> SliceMetrics:
    """Metrics of the rows in ``mask``.

    Parameters
    ----------
    mask : numpy.ndarray
        bool (n,) rows of the slice.
    given, predicted : numpy.ndarray
        (n,) labels; rows with a missing given label (None) are left out of every metric.
    classes : list of str
        The label set, for per-class precision / recall / F1 / support (scikit-learn).
    confidence : numpy.ndarray, optional
        (n,) probability of the predicted label, for the expected calibration error.

    Returns
    -------
    SliceMetrics
        Accuracy with its 95% Wilson interval, error rate here and in the rest, the two-proportion
        p-value (``q_value`` is filled by :func:`benjamini_hochberg` across slices), ECE, per-class and
        macro / micro precision, recall and F1.
    """
    labelled = (
        np.array([g is not None for g in given]) if given.dtype == object else np.ones(len(given), bool)
    )
    inside = mask & labelled
    outside = ~mask & labelled
    correct = given == predicted
    k, n = int(correct[inside].sum()), int(inside.sum())
    k_rest, n_rest = int(correct[outside].sum()), int(outside.sum())
    low, high = wilson_interval(k, n)
    metrics = SliceMetrics(
        name=name,
        rows=int(mask.sum()),
        share=float(mask.mean()) if mask.size else 0.0,
        accuracy=k / n if n else float("nan"),
        accuracy_low=float(low),
        accuracy_high=float(high),
        error_rate=1 - k / n if n else float("nan"),
        rest_error_rate=1 - k_rest / n_rest if n_rest else float("nan"),
        p_value=two_proportion_p_value(n - k, n, n_rest - k_rest, n_rest),
    )
    if confidence is not None and n:
        metrics.ece = expected_calibration_error(np.asarray(confidence)[inside], correct[inside])
    if per_class and n:
        from sklearn.metrics import precision_recall_fscore_support

        y_true, y_pred = given[inside].astype(str), predicted[inside].astype(str)
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=classes, zero_division=0)
        metrics.per_class = [
            {
                "class": c,
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, c in enumerate(classes)
            if s[i] > 0 or (y_pred == c).any()
        ]
        for average in ("macro", "micro"):
            present = [c["class"] for c in metrics.per_class]
            pa, ra, fa, _ = precision_recall_fscore_support(
                y_true, y_pred, labels=present, average=average, zero_division=0
            )
            getattr(metrics, average).update(precision=float(pa), recall=float(ra), f1=float(fa))
    return metrics


def benjamini_hochberg(metrics: list[SliceMetrics]) -> None:
    """Fill each slice's ``q_value``: BH-adjusted p-values across the slices shown
    (``scipy.stats.false_discovery_control``)."""
    from scipy.stats import false_discovery_control

    valid = [m for m in metrics if np.isfinite(m.p_value)]
    if not valid:
        return
    adjusted = false_discovery_control([m.p_value for m in valid], method="bh")
    for m, q in zip(valid, adjusted, strict=True):
        m.q_value = float(q)


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
