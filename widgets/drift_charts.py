"""The drift view's charts (pyqtgraph): reference vs current distributions, metrics over time with
interval bands, per-class precision and recall over time, and cluster shares with intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

REFERENCE, CURRENT = (31, 119, 180), (255, 127, 14)
PRECISION, RECALL = (44, 160, 44), (148, 103, 189)


def _band(
    plot: pg.PlotWidget, x: np.ndarray, low: np.ndarray, high: np.ndarray, rgb: tuple[int, ...]
) -> None:
    """A translucent 95% interval band (NaN gaps drawn as zero width)."""
    upper = plot.plot(x, np.nan_to_num(high, nan=0.0), pen=None)
    lower = plot.plot(x, np.nan_to_num(low, nan=0.0), pen=None)
    plot.addItem(pg.FillBetweenItem(upper, lower, brush=(*rgb, 50)))


def _title(plot: pg.PlotWidget, text: str) -> None:
    plot.setTitle(text, size="9pt")


def _time_ticks(plot: pg.PlotWidget, times: list[Any]) -> None:
    step = max(1, len(times) // 10)
    labels = [(float(i), str(t)[5:16].replace(" 00:00", "")) for i, t in enumerate(times) if i % step == 0]
    plot.getAxis("bottom").setTicks([labels])


def draw_distribution(plot: pg.PlotWidget, reference: pl.Series, current: pl.Series, numeric: bool) -> None:
    """Shares per category (the 15 most frequent), or 30-bin histograms for numbers."""
    plot.clear()
    ref, cur = reference.drop_nulls(), current.drop_nulls()
    _title(plot, f"{reference.name}: reference (blue), current (orange)")
    if numeric:
        r, c = ref.cast(pl.Float64).to_numpy(), cur.cast(pl.Float64).to_numpy()
        edges = np.histogram_bin_edges(np.r_[r, c], 30)
        for values, colour in ((r, REFERENCE), (c, CURRENT)):
            counts, _ = np.histogram(values, edges)
            plot.plot(edges, counts / max(counts.sum(), 1), stepMode="center", pen=pg.mkPen(colour, width=2))
        plot.getAxis("bottom").setTicks(None)
        return
    levels = pl.concat([ref.cast(pl.String), cur.cast(pl.String)]).value_counts(sort=True).head(15)
    names = levels[levels.columns[0]].to_list()
    x = np.arange(len(names), dtype=float)
    for values, colour, shift in ((ref, REFERENCE, -0.2), (cur, CURRENT, 0.2)):
        counts = values.cast(pl.String).value_counts()
        share = dict(
            zip(counts[counts.columns[0]].to_list(), (counts["count"] / values.len()).to_list(), strict=True)
        )
        plot.addItem(
            pg.BarGraphItem(x=x + shift, height=[share.get(v, 0.0) for v in names], width=0.4, brush=colour)
        )
    plot.getAxis("bottom").setTicks([[(float(i), str(v)[:12]) for i, v in enumerate(names)]])


def draw_timeline(plot: pg.PlotWidget, timeline: pl.DataFrame | None) -> None:
    """Accuracy with its 95% band and the label's drift (Jensen–Shannon) against the first bucket."""
    plot.clear()
    if timeline is None or timeline.is_empty():
        _title(plot, "Over time: needs a time column")
        return
    shown = [
        text
        for column, text in (
            ("accuracy", "accuracy (95% CI)"),
            ("label_drift_js", "label drift (Jensen–Shannon vs the first bucket)"),
        )
        if column in timeline.columns
    ]
    _title(plot, "Over time: " + " and ".join(shown))
    x = np.arange(timeline.height, dtype=float)
    if "accuracy" in timeline.columns:
        _band(plot, x, timeline["accuracy_low"].to_numpy(), timeline["accuracy_high"].to_numpy(), REFERENCE)
        plot.plot(x, timeline["accuracy"].to_numpy(), pen=pg.mkPen(REFERENCE, width=2), name="accuracy")
    if "label_drift_js" in timeline.columns:
        plot.plot(
            x,
            timeline["label_drift_js"].to_numpy(),
            pen=pg.mkPen(CURRENT, width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=CURRENT,
            name="label drift (JS)",
        )
    _time_ticks(plot, timeline[timeline.columns[0]].to_list())
    if "accuracy" in timeline.columns or "label_drift_js" not in timeline.columns:
        plot.setYRange(0, 1)
    else:  # distances alone are small: let them fill the chart
        plot.setYRange(0, max(0.05, 1.2 * float(timeline["label_drift_js"].max() or 0.0)))


def draw_class_timeline(plot: pg.PlotWidget, per_class: pl.DataFrame | None, name: str | None) -> None:
    """Precision and recall of one class per time bucket, each with its 95% band."""
    plot.clear()
    if per_class is None or per_class.is_empty() or name is None:
        _title(plot, "Per class over time: needs a time column and a model run")
        return
    time = per_class.columns[0]
    buckets = per_class.select(time).unique().sort(time)
    rows = buckets.join(per_class.filter(pl.col("class") == name), on=time, how="left")
    _title(plot, f"{name}: precision (green) and recall (purple) per bucket, 95% CI")
    x = np.arange(rows.height, dtype=float)
    for metric, colour in (("precision", PRECISION), ("recall", RECALL)):
        values = rows[metric].cast(pl.Float64).to_numpy()
        _band(
            plot,
            x,
            rows[f"{metric}_low"].cast(pl.Float64).to_numpy(),
            rows[f"{metric}_high"].cast(pl.Float64).to_numpy(),
            colour,
        )
        plot.plot(
            x,
            values,
            pen=pg.mkPen(colour, width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=colour,
            connect="finite",
        )
    _time_ticks(plot, rows[time].to_list())
    plot.setYRange(0, 1)


def draw_cluster_shares(plot: pg.PlotWidget, clusters: list[dict[str, Any]] | None, top: int = 10) -> None:
    """The clusters whose share changed most: reference and current share with 95% intervals."""
    plot.clear()
    if not clusters:
        _title(plot, "Cluster shares: needs clusters (run the pipeline)")
        return
    shown = clusters[:top][::-1]  # largest change at the top
    _title(plot, "Cluster shares, largest change on top (● significant)")
    y = np.arange(len(shown), dtype=float)
    for key, colour, shift in (("reference", REFERENCE, 0.18), ("current", CURRENT, -0.18)):
        share = np.array([c[f"{key}_share"] for c in shown])
        low = np.array([c[f"{key}_ci"][0] for c in shown])
        high = np.array([c[f"{key}_ci"][1] for c in shown])
        plot.addItem(pg.BarGraphItem(x0=0, y=y + shift, height=0.34, width=share, brush=colour))
        plot.addItem(pg.ErrorBarItem(x=share, y=y + shift, left=share - low, right=high - share, beam=0.1))
    ticks = [
        (float(i), ("● " if c["significant"] else "") + str(c["name"])[:24]) for i, c in enumerate(shown)
    ]
    axis = plot.getAxis("left")
    axis.setTicks([ticks])
    # wide enough for the longest name at the first paint (pyqtgraph skips labels that do not fit)
    metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
    axis.setWidth(16 + max(metrics.horizontalAdvance(t) for _, t in ticks))
