"""The drift view's charts (pyqtgraph): reference vs current distributions, metrics over time with
interval bands, one class's precision and recall over time, and cluster shares with intervals.

They draw what :mod:`analysis.drift.charts` computed; nothing here counts rows.
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import polars as pl
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtGui import QFont, QFontMetrics

from analysis.drift.charts import ClassSeries, ClusterShares, Distribution
from analysis.drift.overlay import CURRENT, REFERENCE

PRECISION, RECALL = (44, 160, 44), (148, 103, 189)
NAME_CHARS = 20  # a cluster's name on the axis; the tooltip-free chart cannot show more


def _rgb(rgba: tuple[int, ...]) -> tuple[int, int, int]:
    return rgba[0], rgba[1], rgba[2]


def _band(
    plot: pg.PlotWidget, x: NDArray[np.float64], low: NDArray[Any], high: NDArray[Any], rgb: tuple[int, ...]
) -> None:
    """A translucent 95% interval band (NaN gaps drawn as zero width)."""
    upper = plot.plot(x, np.nan_to_num(high, nan=0.0), pen=None)
    lower = plot.plot(x, np.nan_to_num(low, nan=0.0), pen=None)
    plot.addItem(pg.FillBetweenItem(upper, lower, brush=(*_rgb(rgb), 50)))


def _title(plot: pg.PlotWidget, text: str, tooltip: str = "") -> None:
    """A short title (the chart is a third of a 1000 px tab wide); what it means in the tooltip."""
    plot.setTitle(text, size="9pt")
    plot.setToolTip(tooltip)


def _in(rgb: tuple[int, ...], text: str) -> str:
    """``text`` in the colour it names in the chart (the title is the legend)."""
    return f'<span style="color:#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}">{text}</span>'


SIDES = f"{_in(REFERENCE, 'reference')}, {_in(CURRENT, 'current')}"


def _time_ticks(plot: pg.PlotWidget, times: list[Any]) -> None:
    step = max(1, len(times) // 10)
    labels = [(float(i), str(t)[5:16].replace(" 00:00", "")) for i, t in enumerate(times) if i % step == 0]
    plot.getAxis("bottom").setTicks([labels])


def draw_distribution(plot: pg.PlotWidget, distribution: Distribution | None) -> None:
    """Shares per category, or histograms for numbers, reference (blue) against current (orange)."""
    plot.clear()
    if distribution is None:
        _title(plot, "Distributions: pick a column")
        plot.getAxis("bottom").setTicks(None)
        return
    d = distribution
    what = "30 equal bins over both sides" if d.numeric else f"the {len(d.levels)} most frequent values"
    _title(
        plot,
        f"{escape(d.column[:NAME_CHARS])}: {SIDES}",
        f"{d.column}: share of each side's non-null values in {what}",
    )
    if d.numeric:
        for shares, colour in ((d.reference, REFERENCE), (d.current, CURRENT)):
            if shares.size:
                plot.plot(d.edges, shares, stepMode="center", pen=pg.mkPen(_rgb(colour), width=2))
        plot.getAxis("bottom").setTicks(None)
        return
    x = np.arange(len(d.levels), dtype=float)
    for shares, colour, shift in ((d.reference, REFERENCE, -0.2), (d.current, CURRENT, 0.2)):
        plot.addItem(pg.BarGraphItem(x=x + shift, height=shares, width=0.4, brush=_rgb(colour)))
    plot.getAxis("bottom").setTicks([[(float(i), v[:12]) for i, v in enumerate(d.levels)]])


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
    _title(
        plot,
        ", ".join(
            _in(colour, text)
            for column, text, colour in (
                ("accuracy", "accuracy (95% CI)", REFERENCE),
                ("label_drift_js", "label drift (JS)", CURRENT),
            )
            if column in timeline.columns
        ),
        "Per time bucket: " + " and ".join(shown),
    )
    x = np.arange(timeline.height, dtype=float)
    if "accuracy" in timeline.columns:
        _band(plot, x, timeline["accuracy_low"].to_numpy(), timeline["accuracy_high"].to_numpy(), REFERENCE)
        plot.plot(x, timeline["accuracy"].to_numpy(), pen=pg.mkPen(_rgb(REFERENCE), width=2))
    if "label_drift_js" in timeline.columns:
        plot.plot(
            x,
            timeline["label_drift_js"].to_numpy(),
            pen=pg.mkPen(_rgb(CURRENT), width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=_rgb(CURRENT),
        )
    _time_ticks(plot, timeline[timeline.columns[0]].to_list())
    if "accuracy" in timeline.columns or "label_drift_js" not in timeline.columns:
        plot.setYRange(0, 1)
    else:  # distances alone are small: let them fill the chart
        plot.setYRange(0, max(0.05, 1.2 * float(timeline["label_drift_js"].max() or 0.0)))  # type: ignore[arg-type]


def draw_class_timeline(plot: pg.PlotWidget, buckets: list[Any], series: ClassSeries | None) -> None:
    """Precision and recall of one class per time bucket, each with its 95% band."""
    plot.clear()
    if series is None:
        _title(plot, "Per class: needs a time column and a model run")
        plot.getAxis("bottom").setTicks(None)
        return
    _title(
        plot,
        f"{escape(series.name[:NAME_CHARS])}: {_in(PRECISION, 'precision')}, {_in(RECALL, 'recall')}",
        f"{series.name}: precision and recall per time bucket with 95% Wilson intervals",
    )
    x = np.arange(len(buckets), dtype=float)
    for values, interval, colour in (
        (series.precision, series.precision_ci, PRECISION),
        (series.recall, series.recall_ci, RECALL),
    ):
        _band(plot, x, interval[:, 0], interval[:, 1], colour)
        plot.plot(
            x,
            values,
            pen=pg.mkPen(colour, width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=colour,
            connect="finite",
        )
    _time_ticks(plot, buckets)
    plot.setYRange(0, 1)


def draw_cluster_shares(plot: pg.PlotWidget, shares: ClusterShares | None) -> None:
    """The clusters whose share changed most: reference and current share with 95% intervals."""
    plot.clear()
    axis = plot.getAxis("left")
    if shares is None or not shares.names:
        _title(plot, "Cluster shares: needs clusters", "Run the pipeline to cluster the rows")
        axis.setTicks(None)
        axis.setWidth(None)
        return
    _title(
        plot,
        f"Cluster shares: {SIDES}",
        "The clusters whose share changed most, largest change on top, with 95% Wilson intervals; "
        "● the intervals do not overlap",
    )
    y = np.arange(len(shares.names), dtype=float)[::-1]  # largest change at the top
    for share, interval, colour, shift in (
        (shares.reference, shares.reference_ci, REFERENCE, 0.18),
        (shares.current, shares.current_ci, CURRENT, -0.18),
    ):
        plot.addItem(pg.BarGraphItem(x0=0, y=y + shift, height=0.34, width=share, brush=_rgb(colour)))
        plot.addItem(
            pg.ErrorBarItem(
                x=share, y=y + shift, left=share - interval[:, 0], right=interval[:, 1] - share, beam=0.1
            )
        )
    ticks = [
        (float(i), ("● " if significant else "") + name[:NAME_CHARS])
        for i, name, significant in zip(y, shares.names, shares.significant, strict=True)
    ]
    axis.setTicks([ticks])
    # wide enough for the longest name at the first paint (pyqtgraph skips labels that do not fit)
    metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
    axis.setWidth(16 + max(metrics.horizontalAdvance(t) for _, t in ticks))
