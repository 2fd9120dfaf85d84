"""What the drift charts draw, computed in analysis/ (airline time windows, the sample's unsure rows)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.drift.charts import class_series, cluster_shares, column_distribution, drift_charts
from analysis.drift.overlay import CURRENT, REFERENCE, drift_overlay
from analysis.drift.report import DriftResult
from storage.errors import InputError


@pytest.fixture(scope="module")
def windows(airline: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    day = airline["ts"].dt.day()
    return airline.filter(day.is_between(17, 19)), airline.filter(day.is_between(22, 24))


def test_category_shares_of_two_time_windows(windows: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    reference, current = windows
    sentiment = column_distribution(reference["airline_sentiment"], current["airline_sentiment"], False)
    assert not sentiment.numeric and sentiment.levels == ["negative", "neutral", "positive"]
    negative = [float((w["airline_sentiment"] == "negative").mean()) for w in windows]
    assert sentiment.reference[0] == pytest.approx(negative[0]) and sentiment.current[0] == pytest.approx(
        negative[1]
    )
    assert 0.55 < negative[0] < 0.58 and 0.66 < negative[1] < 0.69  # the shift the report flags
    assert sentiment.reference.sum() == pytest.approx(1.0) and sentiment.current.sum() == pytest.approx(1.0)
    # six airlines, four shown: the most frequent over both windows, shares of all rows of a side
    airlines = column_distribution(reference["airline"], current["airline"], False, top=4)
    both = Counter(reference["airline"].to_list() + current["airline"].to_list())
    assert airlines.levels == [name for name, _ in both.most_common(4)]
    ref_counts = Counter(reference["airline"].to_list())
    assert airlines.reference.tolist() == pytest.approx(
        [ref_counts[a] / reference.height for a in airlines.levels]
    )
    assert airlines.reference.sum() < 1.0 and airlines.current.sum() < 1.0


def test_histogram_of_a_numeric_column(windows: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    reference, current = windows
    column = "airline_sentiment_confidence"
    d = column_distribution(reference[column], current[column], True)
    values = pl.concat([reference[column], current[column]])
    assert d.numeric and d.levels == [] and d.edges.shape == (31,) and d.reference.shape == (30,)
    assert d.edges[0] == values.min() and d.edges[-1] == values.max()
    assert d.reference.sum() == pytest.approx(1.0) and d.current.sum() == pytest.approx(1.0)
    # most annotators agree: the last bin (confidence 1) holds the largest share on both sides
    sure = [float((w[column] >= d.edges[-2]).mean()) for w in windows]
    assert d.reference[-1] == pytest.approx(sure[0]) and d.current[-1] == pytest.approx(sure[1])
    assert d.reference.argmax() == d.current.argmax() == 29
    empty = column_distribution(
        pl.Series(column, [None], pl.Float64), pl.Series(column, [], pl.Float64), True
    )
    assert empty.edges.size == 0 and empty.reference.size == 0


def test_classes_ranked_by_how_far_their_recall_moved(airline: pl.DataFrame) -> None:
    from sklearn.metrics import recall_score

    from analysis.drift.over_time import class_metrics_over_time

    # a real if weak model: each airline's most common sentiment
    mode = airline.group_by("airline").agg(pl.col("airline_sentiment").mode().first().alias("predicted"))
    rows = airline.join(mode, on="airline").with_columns(
        correct=pl.col("predicted") == pl.col("airline_sentiment")
    )
    buckets, classes = class_series(class_metrics_over_time(rows, "ts", "airline_sentiment", every="1d"))
    days = sorted(rows["ts"].dt.truncate("1d").unique().to_list())
    assert buckets == days and all(s.recall.shape == (9,) for s in classes)
    recall_by_class: dict[str, list[float]] = {c: [] for c in ("negative", "neutral", "positive")}
    for day in days:
        group = rows.filter(pl.col("ts").dt.truncate("1d") == day)
        r = recall_score(
            group["airline_sentiment"],
            group["predicted"],
            labels=list(recall_by_class),
            average=None,
            zero_division=np.nan,
        )
        for name, value in zip(recall_by_class, r, strict=True):
            recall_by_class[name].append(float(value))
    moved = {c: np.nanmax(v) - np.nanmin(v) for c, v in recall_by_class.items()}
    assert [s.name for s in classes] == sorted(moved, key=lambda c: -moved[c])
    for s in classes:
        assert np.allclose(s.recall, recall_by_class[s.name], equal_nan=True)
        assert s.recall_range == pytest.approx(moved[s.name])
        low, high = s.recall_ci[:, 0], s.recall_ci[:, 1]
        assert np.all(np.isnan(s.recall) | ((low <= s.recall + 1e-9) & (s.recall <= high + 1e-9)))


def test_charts_and_map_overlay_of_the_unsure_rows(sample_project: Path) -> None:
    from analysis.drift.report import compute_drift, load_side
    from analysis.view_frame import load_view_frame
    from storage.project import Project

    with Project.open(sample_project) as project:
        shown = load_view_frame(project, 1)
        reference = load_side(project, 1, "confidence >= 0.5", loaded=shown)
        current = load_side(project, 1, "confidence < 0.5", loaded=shown)
        result = compute_drift(project, reference, current, anchor=shown, columns=["label", "confidence"])
    charts = drift_charts(result, reference, current)
    assert list(charts.distributions) == [d.column for d in result.columns]
    confidence = charts.distributions["confidence"]
    # the sides are split at 0.5: no reference value below it, no current value above it
    centres = (confidence.edges[:-1] + confidence.edges[1:]) / 2
    assert confidence.reference[centres < 0.45].sum() == 0 and confidence.current[centres > 0.55].sum() == 0
    assert charts.buckets == [] and charts.classes == []  # no time column
    assert result.clusters is not None and charts.clusters is not None
    shares = charts.clusters
    assert shares.names == [str(c["name"]) for c in result.clusters[:10]]
    assert np.all(np.diff(np.abs(shares.change)) <= 1e-12)  # largest change first
    assert np.all(
        (shares.reference_ci[:, 0] <= shares.reference) & (shares.reference <= shares.reference_ci[:, 1])
    )
    assert shares.significant.tolist() == [
        bool(hc < lr or hr < lc)
        for (lr, hr), (lc, hc) in zip(shares.reference_ci, shares.current_ci, strict=True)
    ]
    assert cluster_shares(result.clusters, top=3).names == shares.names[:3]
    unsure = int((shown.rows["confidence"] < 0.5).sum())
    overlay = drift_overlay(result, shown.rows.height)
    assert overlay.version_id == 1 and overlay.colours.shape == (3080, 4)
    assert {e.name: e.count for e in overlay.legend} == {
        "reference only": 3080 - unsure,
        "current only": unsure,
        "both": 0,
        "neither": 0,
    }
    is_current = (shown.rows["confidence"] < 0.5).to_numpy()
    assert (overlay.colours[is_current] == CURRENT).all() and (
        overlay.colours[~is_current] == REFERENCE
    ).all()
    assert (
        overlay.image is not None and overlay.image.shape == (96, 96, 4) and overlay.extent == result.extent
    )
    assert result.density is not None
    strong = np.abs(result.density) > np.quantile(np.abs(result.density), 0.9)
    denser_now = strong & (result.density > 0)
    assert (overlay.image[denser_now][:, :3] == CURRENT[:3]).all()
    assert (overlay.image[strong & (result.density < 0)][:, :3] == REFERENCE[:3]).all()
    assert overlay.image[strong][:, 3].min() > overlay.image[~strong][:, 3].mean()
    with pytest.raises(InputError, match="placed no rows on a map"):
        drift_overlay(DriftResult(2, 2, []), 10)
