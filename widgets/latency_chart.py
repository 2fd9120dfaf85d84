"""Labeling latency as two charts: each annotator's median seconds per label (bars, with the 90th
percentile as a tick above), and the median per period of labelling time (a line), with the wait for
a label when the items have created-at times (:mod:`analysis.labeling.latency`)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from analysis.labeling.latency import LatencyReport, readable_seconds
from widgets.names import short_names

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
        self.over_time = _plot("s per label")
        self.over_time.getPlotItem().setAxisItems({"bottom": pg.DateAxisItem()})
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
        # Eight names like "Annotator1" do not fit side by side: their shared prefix goes in the axis title.
        names = table["annotator"].to_list()
        short = short_names(names)
        title = names[0][: len(names[0]) - len(short[0])] if short != names else "annotator"
        plot = self.per_annotator.getPlotItem()
        plot.getAxis("bottom").setTicks([list(enumerate(short))])
        plot.setLabel("bottom", title)
        self.per_annotator.setToolTip(
            "\n".join(
                f"{a}: {n:,} labels, median {readable_seconds(m)}, p90 {readable_seconds(p)}"
                for a, n, m, p in table.select("annotator", "labels", "median_s", "p90_s").rows()
            )
        )
        plot.setXRange(-0.6, len(x) - 0.4, padding=0)
        series = report.over_time
        stamps = series["period"].dt.epoch("s").to_numpy().astype(np.float64)
        plot = self.over_time.getPlotItem()
        pen = pg.mkPen(70, 130, 180, width=2)
        median = series["median_s"].fill_null(np.nan).to_numpy()
        plot.plot(stamps, median, pen=pen, symbol="o", symbolSize=5)
        wait = series["median_wait_s"].median() if report.has_wait else None
        waits = "" if wait is None else f", median wait {readable_seconds(float(wait))}"  # type: ignore[arg-type]
        self.note.setText(
            f"{table['labels'].sum():,} timed labels, per {report.period}{waits}; breaks over "
            f"{readable_seconds(report.idle_s)} left out. Bars: median, tick: 90th percentile."
        )
