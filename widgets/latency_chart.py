"""Labeling latency as two charts: each annotator's median seconds per label (bars, with the 90th
percentile as a tick above), and the median per period of labelling time (a line), with the wait for
a label when the items have created-at times (:mod:`analysis.labeling.latency`)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from analysis.labeling.latency import LatencyReport

NO_TIMES = "No label times: import the annotations with --labelled-at to see how long labels take."


def _plot(left: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(background="w")
    widget.setMinimumSize(200, 80)  # two of them fit the tab at 1366×768
    plot = widget.getPlotItem()
    plot.setLabel("left", left)
    plot.setMouseEnabled(False, False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    return widget


class LatencyChart(QWidget):
    """Shows a :class:`LatencyReport` (or a note saying why there is none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: LatencyReport | None = None
        self.note = QLabel(NO_TIMES, wordWrap=True)
        self.per_annotator = _plot("s per label")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=pg.mkBrush(70, 130, 180))
        self.p90 = pg.ScatterPlotItem(symbol="_", size=14, pen=pg.mkPen(40, 40, 40), brush=None)
        self.per_annotator.addItem(self.bars)
        self.per_annotator.addItem(self.p90)
        self.over_time = _plot("median s per label")
        self.over_time.getPlotItem().setAxisItems({"bottom": pg.DateAxisItem()})
        self.over_time.getPlotItem().addLegend(offset=(-10, 10))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.per_annotator, 1)
        layout.addWidget(self.over_time, 1)

    def set_report(self, report: LatencyReport | None, note: str = NO_TIMES) -> None:
        """Draw ``report``; None shows ``note`` over empty charts."""
        self.report = report
        self.over_time.getPlotItem().clear()
        if report is None:
            self.note.setText(note)
            self.bars.setOpts(x=[], height=[])
            self.p90.setData([], [])
            self.per_annotator.getPlotItem().getAxis("bottom").setTicks([[]])
            return
        table = report.per_annotator
        x = np.arange(table.height, dtype=np.float64)
        self.bars.setOpts(x=x, height=table["median_s"].fill_null(0).to_numpy(), width=0.7)
        self.p90.setData(x, table["p90_s"].fill_null(0).to_numpy())
        ticks = [
            (float(i), f"{a} ({n:,})") for i, (a, n) in enumerate(table.select("annotator", "labels").rows())
        ]
        self.per_annotator.getPlotItem().getAxis("bottom").setTicks([ticks])
        self.per_annotator.getPlotItem().setXRange(-0.6, len(x) - 0.4, padding=0)
        series = report.over_time
        stamps = series["period"].dt.epoch("s").to_numpy().astype(np.float64)
        plot = self.over_time.getPlotItem()
        pen = pg.mkPen(70, 130, 180, width=2)
        median = series["median_s"].fill_null(np.nan).to_numpy()
        plot.plot(stamps, median, pen=pen, symbol="o", symbolSize=5, name="s per label")
        waits = "" if not report.has_wait else f"; median wait {series['median_wait_s'].median():,.0f} s"
        self.note.setText(
            f"{table['labels'].sum():,} timed labels by {table.height} annotators, per {report.period}; "
            f"gaps over {report.idle_s:.0f} s are breaks{waits}. Bars: median s per label; "
            "tick: 90th percentile."
        )
