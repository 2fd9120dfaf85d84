"""Drift between a reference and a current set of rows: per column, in embeddings, in cluster shares.

Per-column defaults follow Evidently's data-drift preset, chosen by the reference size n: numeric —
Kolmogorov–Smirnov p < 0.05 for n ≤ 1000, else the Wasserstein distance normalised by the reference
standard deviation ≥ 0.1; categorical — chi-square p < 0.05 for n ≤ 1000, else the Jensen–Shannon
distance ≥ 0.1. The population stability index (10 bins; 0.1 moderate, 0.25 major) is shown for all.
Tests and distances come from scipy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.view_frame import TOKEN_COLUMNS

SMALL_REFERENCE = 1000
PSI_BINS = 10
PSI_EPS = 1e-4


@dataclass(frozen=True)
class ColumnDrift:
    """One column's drift verdict: the test used, its statistic and threshold, and the PSI."""

    column: str
    kind: str
    test: str
    statistic: float
    threshold: float
    drift: bool
    psi: float
    reference_rows: int
    current_rows: int
    p_value: float = float("nan")

    @property
    def verdict(self) -> str:
        """``drift`` (the default test's threshold is crossed), ``significant shift`` (a two-sample
        test says the distributions differ, p < 0.05, but the effect is below the drift threshold),
        or ``stable``."""
        if self.drift:
            return "drift"
        return "significant shift" if self.p_value < 0.05 else "stable"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return asdict(self) | {"verdict": self.verdict}


def _is_numeric(series: pl.Series) -> bool:
    return series.dtype.is_numeric() and series.dtype != pl.Boolean and series.n_unique() > 10


def _psi_from_counts(r: NDArray[np.float64], c: NDArray[np.float64]) -> float:
    r = np.maximum(r / max(r.sum(), 1), PSI_EPS)
    c = np.maximum(c / max(c.sum(), 1), PSI_EPS)
    return float(np.sum((c - r) * np.log(c / r)))


def psi(reference: NDArray[Any], current: NDArray[Any], numeric: bool) -> float:
    """Population stability index: Σ (c − r)·ln(c / r) over 10 reference-quantile bins (or categories)."""
    if numeric:
        edges = np.unique(np.quantile(reference, np.linspace(0, 1, PSI_BINS + 1)))
        if edges.size < 2:
            return 0.0
        r = np.histogram(np.clip(reference, edges[0], edges[-1]), edges)[0].astype(float)
        c = np.histogram(np.clip(current, edges[0], edges[-1]), edges)[0].astype(float)
    else:
        levels = np.union1d(np.unique(reference), np.unique(current))
        r = np.array([(reference == v).sum() for v in levels], dtype=float)
        c = np.array([(current == v).sum() for v in levels], dtype=float)
    return _psi_from_counts(r, c)


def column_drift(name: str, reference: pl.Series, current: pl.Series) -> ColumnDrift:
    """Test one column for drift with Evidently's default for its type and the reference size."""
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

    ref, cur = reference.drop_nulls(), current.drop_nulls()
    n = ref.len()
    numeric = _is_numeric(ref)
    if numeric:
        r, c = ref.cast(pl.Float64).to_numpy(), cur.cast(pl.Float64).to_numpy()
        p_value = float(ks_2samp(r, c).pvalue)
        if n <= SMALL_REFERENCE:
            statistic, threshold, test = p_value, 0.05, "Kolmogorov–Smirnov p-value"
            drift = statistic < threshold
        else:
            std = float(np.std(r)) or 1.0
            statistic, threshold, test = float(wasserstein_distance(r, c) / std), 0.1, "Wasserstein / std"
            drift = statistic >= threshold
        return ColumnDrift(
            name, "numeric", test, statistic, threshold, drift, psi(r, c, True), n, cur.len(), p_value
        )
    counts = pl.concat(
        [ref.cast(pl.String).value_counts(name="r"), cur.cast(pl.String).value_counts(name="c")], how="align"
    ).fill_null(0)
    levels = counts[ref.name].to_numpy()
    ref_counts, cur_counts = counts["r"].to_numpy().astype(float), counts["c"].to_numpy().astype(float)
    # Two-sample chi-square test of homogeneity on the 2 × K table: Evidently's one-sample form takes
    # the reference shares as exact and, with a sampled reference, flags drift far above 5%.
    table = np.vstack([ref_counts, cur_counts])
    p_value = float(chi2_contingency(table).pvalue) if levels.size > 1 else 1.0
    if n <= SMALL_REFERENCE:
        statistic, threshold, test = p_value, 0.05, "chi-square p-value"
        drift = statistic < threshold
    else:
        statistic = float(jensenshannon(ref_counts / ref_counts.sum(), cur_counts / max(cur_counts.sum(), 1)))
        threshold, test = 0.1, "Jensen–Shannon distance"
        drift = statistic >= threshold
    return ColumnDrift(
        name,
        "categorical",
        test,
        statistic,
        threshold,
        drift,
        _psi_from_counts(ref_counts, cur_counts),
        n,
        cur.len(),
        p_value,
    )


def drift_report(reference: pl.DataFrame, current: pl.DataFrame, columns: list[str]) -> list[ColumnDrift]:
    """Drift of each column, the drifted first (by PSI)."""
    results = [
        column_drift(c, reference[c], current[c]) for c in columns if reference[c].drop_nulls().len() > 1
    ]
    return sorted(results, key=lambda d: (not d.drift, -d.psi))


def domain_classifier_auc(
    reference: NDArray[np.float32], current: NDArray[np.float32], seed: int = 0, sample: int = 2000
) -> float:
    """Cross-validated ROC AUC of a classifier telling current rows from reference rows (drift above 0.55).

    Logistic regression, 5-fold stratified, on at most ``sample`` rows of each side (Evidently's
    embeddings drift method "model"; scikit-learn).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    rng = np.random.default_rng(seed)
    a = reference[rng.permutation(len(reference))[:sample]]
    b = current[rng.permutation(len(current))[:sample]]
    x = np.vstack([a, b])
    y = np.r_[np.zeros(len(a)), np.ones(len(b))]
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    return float(cross_val_score(LogisticRegression(max_iter=1000), x, y, cv=folds, scoring="roc_auc").mean())


def mmd_permutation_test(
    reference: NDArray[np.float32],
    current: NDArray[np.float32],
    permutations: int = 200,
    sample: int = 500,
    seed: int = 0,
) -> tuple[float, float]:
    """Maximum mean discrepancy (RBF kernel, median-distance bandwidth) with a permutation p-value.

    Gretton et al., "A Kernel Two-Sample Test", JMLR 2012; biased estimator on at most ``sample`` rows
    of each side.

    Returns
    -------
    mmd2, p_value : float
    """
    from scipy.spatial.distance import cdist

    rng = np.random.default_rng(seed)
    a = reference[rng.permutation(len(reference))[:sample]].astype(np.float64)
    b = current[rng.permutation(len(current))[:sample]].astype(np.float64)
    x = np.vstack([a, b])
    d2 = cdist(x, x, "sqeuclidean")
    bandwidth = np.median(d2[d2 > 0]) or 1.0
    k = np.exp(-d2 / bandwidth)
    n = len(a)

    def stat(order: NDArray[np.int64]) -> float:
        i, j = order[:n], order[n:]
        return float(k[np.ix_(i, i)].mean() + k[np.ix_(j, j)].mean() - 2 * k[np.ix_(i, j)].mean())

    observed = stat(np.arange(len(x)))
    null = [stat(rng.permutation(len(x))) for _ in range(permutations)]
    return observed, float((1 + sum(s >= observed for s in null)) / (1 + permutations))


def version_drift(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    roles: dict[str, object],
    columns: list[str] | None = None,
) -> list[ColumnDrift]:
    """Drift of one version's rows against another's: ``columns``, or by default every column worth
    testing except the ``roles``' text, id and time columns (:func:`default_columns`)."""
    skip = {roles.get("text"), roles.get("id"), roles.get("time")}
    return drift_report(reference, current, columns or default_columns(reference, current, skip))


def default_columns(reference: pl.DataFrame, current: pl.DataFrame, skip: set[object]) -> list[str]:
    """Columns worth testing: on both sides; not system, tag, cluster or ``skip`` (id, text, time)
    columns; and not free text or identifiers (strings or integers with more than 100 values making up
    over half the rows)."""

    def identifier_like(c: str) -> bool:
        if c in TOKEN_COLUMNS:  # integer counts with many values, not identifiers
            return False
        column = reference[c]
        distinct = column.n_unique()
        textual = column.dtype == pl.String or column.dtype.is_integer()
        return textual and distinct > 100 and distinct > 0.5 * column.len()

    return [
        c
        for c in reference.columns
        if not c.startswith(("_", "tag_"))
        and c not in skip
        and c not in ("cluster", "cluster_sphere")
        and c in current.columns
        and not identifier_like(c)
    ]
