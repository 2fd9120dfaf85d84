"""What the drift charts draw, computed once per report off the GUI thread: each tested column's
reference and current distributions, the cluster shares that changed most, and each class's precision
and recall per time bucket, the classes whose recall moved most first.

The drift view only draws these; the command line prints the same cluster shares and class ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.drift.report import DriftResult, Side

HISTOGRAM_BINS = 30
TOP_LEVELS = 15
TOP_CLUSTERS = 10


@dataclass(frozen=True)
class Distribution:
    """One column's reference and current distributions on shared bins.

    Attributes
    ----------
    column : str
    numeric : bool
        Histogram bins (``edges``) when true, categories (``levels``) otherwise.
    edges : numpy.ndarray
        float64 (k + 1,) bin edges over both sides' values; empty for a categorical column.
    levels : list of str
        The ``k`` most frequent categories over both sides, most frequent first (ties by name); empty
        for a numeric column.
    reference, current : numpy.ndarray
        float64 (k,): each bin's or category's share of that side's non-null values.
    """

    column: str
    numeric: bool
    edges: NDArray[np.float64]
    levels: list[str]
    reference: NDArray[np.float64]
    current: NDArray[np.float64]


def column_distribution(
    reference: pl.Series,
    current: pl.Series,
    numeric: bool,
    bins: int = HISTOGRAM_BINS,
    top: int = TOP_LEVELS,
) -> Distribution:
    """Shares of ``reference`` and ``current`` on shared bins (numbers) or categories.

    Parameters
    ----------
    reference, current : polars.Series
        One column of either side (same name); nulls are left out.
    numeric : bool
        ``bins`` equal-width bins over both sides' range (``numpy.histogram_bin_edges``), else the
        ``top`` most frequent categories of both sides together, compared as strings.

    Returns
    -------
    Distribution
        Numeric shares sum to 1 per side (0 for a side without values); categorical shares are of all
        the side's non-null values, so they sum to less than 1 when categories are left out.
    """
    ref, cur = reference.drop_nulls(), current.drop_nulls()
    if numeric:
        r, c = ref.cast(pl.Float64).to_numpy(), cur.cast(pl.Float64).to_numpy()
        if r.size + c.size == 0:
            empty = np.zeros(0)
            return Distribution(reference.name, True, empty, [], empty, empty)
        edges = np.histogram_bin_edges(np.r_[r, c], bins).astype(np.float64)
        shares = []
        for values in (r, c):
            binned = np.histogram(values, edges)[0].astype(np.float64)
            shares.append(binned / max(float(binned.sum()), 1.0))
        return Distribution(reference.name, True, edges, [], shares[0], shares[1])
    ref_s, cur_s = ref.cast(pl.String), cur.cast(pl.String)
    levels = (
        pl.concat([ref_s, cur_s])
        .rename("level")
        .value_counts(name="n")
        .sort(["n", "level"], descending=[True, False])
        .head(top)["level"]
        .to_list()
    )
    side_shares = []
    for side in (ref_s, cur_s):
        counts = side.rename("level").value_counts(name="n")
        share = dict(zip(counts["level"].to_list(), counts["n"].to_list(), strict=True))
        total = max(side.len(), 1)
        side_shares.append(np.array([share.get(v, 0) / total for v in levels], dtype=np.float64))
    return Distribution(reference.name, False, np.zeros(0), levels, side_shares[0], side_shares[1])


@dataclass(frozen=True)
class ClusterShares:
    """The clusters whose share changed most, largest change first.

    Attributes
    ----------
    names : list of str
    significant : numpy.ndarray
        bool (k,): the two sides' 95% Wilson intervals do not overlap.
    reference, current : numpy.ndarray
        float64 (k,): the cluster's share of that side's placed rows.
    reference_ci, current_ci : numpy.ndarray
        float64 (k, 2): low and high end of the 95% Wilson interval.
    change : numpy.ndarray
        float64 (k,): current minus reference share.
    """

    names: list[str]
    significant: NDArray[np.bool_]
    reference: NDArray[np.float64]
    current: NDArray[np.float64]
    reference_ci: NDArray[np.float64]
    current_ci: NDArray[np.float64]
    change: NDArray[np.float64]


def cluster_shares(clusters: list[dict[str, Any]], top: int = TOP_CLUSTERS) -> ClusterShares:
    """The first ``top`` of a report's cluster shares (:attr:`DriftResult.clusters`, already ordered
    by the size of the change) as arrays."""
    shown = clusters[:top]

    def column(key: str) -> NDArray[np.float64]:
        return np.array([c[key] for c in shown], dtype=np.float64)

    def interval(key: str) -> NDArray[np.float64]:
        return np.array([c[key] for c in shown], dtype=np.float64).reshape(len(shown), 2)

    return ClusterShares(
        names=[str(c.get("name", c["cluster"])) for c in shown],
        significant=np.array([bool(c["significant"]) for c in shown], dtype=bool),
        reference=column("reference_share"),
        current=column("current_share"),
        reference_ci=interval("reference_ci"),
        current_ci=interval("current_ci"),
        change=column("change"),
    )


@dataclass(frozen=True)
class ClassSeries:
    """One class's precision and recall per time bucket, each with its 95% Wilson interval.

    Attributes
    ----------
    name : str
    precision, recall : numpy.ndarray
        float64 (b,) over the report's buckets; NaN where the bucket has no row predicted (precision)
        or labelled (recall) as the class.
    precision_ci, recall_ci : numpy.ndarray
        float64 (b, 2) low and high ends, NaN likewise.
    recall_range : float
        Largest minus smallest recall over the buckets (NaN when no bucket has the class's rows):
        how much the class's recall moved.
    """

    name: str
    precision: NDArray[np.float64]
    precision_ci: NDArray[np.float64]
    recall: NDArray[np.float64]
    recall_ci: NDArray[np.float64]
    recall_range: float


def class_series(class_timeline: pl.DataFrame) -> tuple[list[Any], list[ClassSeries]]:
    """Each class's precision and recall on the report's buckets, the classes whose recall moved most
    first (ties and classes without a recall by name, those last).

    Parameters
    ----------
    class_timeline : polars.DataFrame
        :func:`analysis.drift.over_time.class_metrics_over_time`'s long table: ``class``, then the
        time column, then the metrics.

    Returns
    -------
    buckets : list
        Every bucket's start time, in order.
    classes : list of ClassSeries
        Aligned to ``buckets``.
    """
    time = next(c for c in class_timeline.columns if c != "class")
    buckets = class_timeline.select(time).unique().sort(time)
    out = []
    for (name,), rows in class_timeline.partition_by("class", as_dict=True, maintain_order=True).items():
        aligned = buckets.join(rows, on=time, how="left", maintain_order="left")

        def values(column: str, frame: pl.DataFrame = aligned) -> NDArray[np.float64]:
            return frame[column].cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(np.float64)

        recall = values("recall")
        finite = recall[np.isfinite(recall)]
        out.append(
            ClassSeries(
                name=str(name),
                precision=values("precision"),
                precision_ci=np.column_stack([values("precision_low"), values("precision_high")]),
                recall=recall,
                recall_ci=np.column_stack([values("recall_low"), values("recall_high")]),
                recall_range=float(finite.max() - finite.min()) if finite.size else float("nan"),
            )
        )
    out.sort(key=lambda s: (np.isnan(s.recall_range), -np.nan_to_num(s.recall_range), s.name))
    return buckets[time].to_list(), out


@dataclass(frozen=True)
class DriftCharts:
    """Everything the drift view's charts draw for one report.

    Attributes
    ----------
    distributions : dict of str to Distribution
        Per tested column, in the report's order.
    clusters : ClusterShares or None
        None without clusters on the anchor's map.
    buckets : list
        Start times of the per-class buckets (empty without a time column and a model run).
    classes : list of ClassSeries
        Per class, the classes whose recall moved most first.
    """

    distributions: dict[str, Distribution]
    clusters: ClusterShares | None
    buckets: list[Any]
    classes: list[ClassSeries]

    def class_named(self, name: str) -> ClassSeries | None:
        """The series of class ``name``, if the report has one."""
        return next((s for s in self.classes if s.name == name), None)


def drift_charts(result: DriftResult, reference: Side, current: Side) -> DriftCharts:
    """The charts of a report computed from its two sides (:func:`analysis.drift.report.compute_drift`)."""
    sides = {
        d.column: result.run_values.get(d.column) or (reference.table[d.column], current.table[d.column])
        for d in result.columns
    }
    distributions = {
        d.column: column_distribution(*sides[d.column], d.kind == "numeric") for d in result.columns
    }
    buckets: list[Any] = []
    classes: list[ClassSeries] = []
    if result.class_timeline is not None and not result.class_timeline.is_empty():
        buckets, classes = class_series(result.class_timeline)
    clusters = cluster_shares(result.clusters) if result.clusters else None
    return DriftCharts(distributions, clusters, buckets, classes)
