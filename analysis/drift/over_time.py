"""Drift over time: metrics per time bucket (rows, label shares, accuracy, per-class precision and
recall, each rate with its 95% Wilson interval) and the label's drift against the first bucket."""

from __future__ import annotations

import re

import numpy as np
import polars as pl

from analysis.stats import wilson_interval
from storage.errors import InputError

BUCKET = re.compile(r"^(\d+(h|d|w|mo))+$")


def check_bucket(every: str) -> str:
    """``every`` if it is a bucket size such as ``6h``, ``1d``, ``2w`` or ``1mo``.

    Raises
    ------
    InputError
        Otherwise, with examples.
    """
    if not BUCKET.match(every):
        raise InputError(f"Bucket {every!r} is not a time span; use e.g. 1h, 6h, 1d, 1w or 1mo.")
    return every


def automatic_bucket(times: pl.Series, target: int = 12) -> str:
    """A bucket size giving about ``target`` buckets: the smallest of 1h, 6h, 1d, 1w, 4w (1mo) that fits.

    Parameters
    ----------
    times : polars.Series
        Datetime values.

    Returns
    -------
    str
        A polars duration string.
    """
    seconds = times.dt.epoch("s").to_numpy()
    hours = float(seconds.max() - seconds.min()) / 3600 if seconds.size else 0.0
    for every, length in (("1h", 1), ("6h", 6), ("1d", 24), ("1w", 168), ("4w", 672)):
        if hours / length <= target:
            return every
    return "1mo"


def _with_interval(frame: pl.DataFrame, name: str, successes: str, trials: str) -> pl.DataFrame:
    low, high = wilson_interval(frame[successes].to_numpy(), frame[trials].to_numpy())
    return frame.with_columns(
        (pl.col(successes) / pl.col(trials)).alias(name),
        pl.Series(f"{name}_low", low),
        pl.Series(f"{name}_high", high),
    )


def metrics_over_time(
    frame: pl.DataFrame, time: str, label: str | None, every: str | None = None
) -> pl.DataFrame:
    """Per time bucket: rows, share of each label, accuracy with its Wilson interval (when predictions
    exist), and the label's Jensen–Shannon distance to the first bucket (scipy).

    Parameters
    ----------
    frame : polars.DataFrame
        Rows with a datetime column ``time``; ``correct`` (bool) when a model run exists.
    label : str or None
        The label column.
    every : str, optional
        polars duration of a bucket (``1h``, ``1d``, ``1w``…); by default :func:`automatic_bucket`.

    Returns
    -------
    polars.DataFrame
        One row per bucket: ``time``, ``rows``; ``accuracy``, ``accuracy_low``, ``accuracy_high``;
        ``share <label>`` per label and ``label_drift_js`` (0 for the first bucket).
    """
    from scipy.spatial.distance import jensenshannon

    sorted_frame = frame.filter(pl.col(time).is_not_null()).sort(time)
    every = check_bucket(every) if every else automatic_bucket(sorted_frame[time])
    aggs: list[pl.Expr] = [pl.len().alias("rows")]
    if "correct" in frame.columns:
        aggs.append(pl.col("correct").sum().alias("correct"))
    buckets = sorted_frame.group_by_dynamic(time, every=every).agg(aggs)
    if "correct" in frame.columns:
        buckets = _with_interval(buckets, "accuracy", "correct", "rows")
    if label is not None:
        shares = (
            sorted_frame.group_by_dynamic(time, every=every, group_by=label)
            .agg(pl.len().alias("n"))
            .pivot(on=label, index=time, values="n")
            .fill_null(0)
            .sort(time)
        )
        classes = [c for c in shares.columns if c != time]
        counts = shares.select(classes).to_numpy().astype(float)
        dist = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        drift = [float(jensenshannon(dist[0], d)) for d in dist]
        shares = shares.with_columns(
            [(pl.col(c) / pl.sum_horizontal(classes)).alias(f"share {c}") for c in classes]
        )
        buckets = buckets.join(shares.select(time, *[f"share {c}" for c in classes]), on=time, how="left")
        buckets = buckets.with_columns(label_drift_js=pl.Series(drift))
    return buckets


def class_metrics_over_time(
    frame: pl.DataFrame, time: str, label: str, every: str | None = None
) -> pl.DataFrame:
    """Per time bucket and class: support, precision and recall with their Wilson intervals.

    Parameters
    ----------
    frame : polars.DataFrame
        Rows with ``time``, ``label`` and the model's ``predicted`` and ``correct`` columns.
    every : str, optional
        Bucket size, as in :func:`metrics_over_time`.

    Returns
    -------
    polars.DataFrame
        Long format: ``time``, ``class``, ``support`` (rows labelled so), ``predicted`` (rows predicted
        so), ``true_positives``, ``precision`` / ``recall`` with ``_low`` and ``_high`` (NaN when the
        bucket has no such rows).

    Raises
    ------
    KeyError
        When ``predicted`` or ``correct`` is missing (no model run).
    """
    rows = frame.filter(pl.col(time).is_not_null()).sort(time)
    every = check_bucket(every) if every else automatic_bucket(rows[time])
    rows = rows.with_columns(
        pl.col(label).cast(pl.String).alias("class"), pl.col("predicted").cast(pl.String)
    )
    by_label = rows.group_by_dynamic(time, every=every, group_by="class").agg(
        pl.len().alias("support"), pl.col("correct").sum().alias("true_positives")
    )
    by_prediction = (
        rows.group_by_dynamic(time, every=every, group_by="predicted")
        .agg(pl.len().alias("predicted_rows"))
        .rename({"predicted": "class"})
    )
    out = (
        by_label.join(by_prediction, on=[time, "class"], how="full", coalesce=True)
        .fill_null(0)
        .rename({"predicted_rows": "predicted"})
        .sort(time, "class")
    )
    out = _with_interval(out, "precision", "true_positives", "predicted")
    return _with_interval(out, "recall", "true_positives", "support")
