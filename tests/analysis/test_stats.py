"""The shared statistics agree with statsmodels (intervals, tests, Benjamini–Hochberg, calibration)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.slices.metrics import benjamini_hochberg, expected_calibration_error, slice_metrics
from analysis.stats import bh_q_values, paired_accuracy_difference, two_proportion_p_value, wilson_interval


def test_statistics_match_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportion_confint, proportions_ztest

    for k, n in [(0, 10), (3, 10), (327, 3080), (999, 1000), (50, 50)]:
        low, high = wilson_interval(k, n)
        ref = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert np.allclose([low, high], ref, atol=1e-10)
    p = two_proportion_p_value(30, 200, 50, 220)
    assert p == pytest.approx(proportions_ztest([30, 50], [200, 220])[1], rel=1e-9)
    rng = np.random.default_rng(0)
    pvalues = rng.uniform(0, 0.2, 40)
    one = np.zeros(1, np.int64)
    metrics = [slice_metrics(str(i), np.ones(1, bool), one, one, ["a"], per_class=False) for i in range(40)]
    for m, pv in zip(metrics, pvalues, strict=True):
        m.p_value = float(pv)
    benjamini_hochberg(metrics)
    assert np.allclose([m.q_value for m in metrics], multipletests(pvalues, method="fdr_bh")[1])
    confidence = np.array([0.95, 0.95, 0.55, 0.55])
    assert expected_calibration_error(confidence, np.array([True, True, True, False])) == pytest.approx(0.05)


def test_q_values_and_paired_difference() -> None:
    from statsmodels.stats.multitest import multipletests

    pvalues = [0.01, 0.04, 0.03, 0.5]
    assert np.allclose(bh_q_values(pvalues), multipletests(pvalues, method="fdr_bh")[1])
    assert bh_q_values([]).size == 0
    a = np.array([True] * 80 + [False] * 20)
    b = np.array([True] * 70 + [False] * 10 + [True] * 20)  # B fixes 20 of A's errors, breaks 10
    difference, low, high = paired_accuracy_difference(a, b)
    assert difference == pytest.approx(0.1)
    half = 1.959963984540054 * np.sqrt(20 + 10 - (20 - 10) ** 2 / 100) / 100  # Agresti & Min's variance
    assert (low, high) == pytest.approx((0.1 - half, 0.1 + half))
