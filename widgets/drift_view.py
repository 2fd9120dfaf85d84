"""The drift view: a ranked table of columns with test, statistic, threshold and verdict; distributions
of the chosen column, reference against current; and, with a time column, metrics per day."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from analysis.drift import ColumnDrift

REFERENCE, CURRENT = (31, 119, 180), (255, 127, 14)
VERDICT_COLOUR = {"drift": QColor(214, 39, 40), "significant shift": QColor(255, 127, 14)}


class DriftView(QWidget):
    """Emits ``runRequested(ref_version, ref_where, cur_version, cur_where)``; shows what comes back."""

    runRequested = Signal(int, str, int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reference: pl.DataFrame | None = None
        self.current: pl.DataFrame | None = None
        self.results: list[ColumnDrift] = []
        self.ref_version, self.cur_version = QComboBox(), QComboBox()
        self.ref_where = QLineEdit(placeholderText="reference filter (SQL), e.g. a time window")
        self.cur_where = QLineEdit(placeholderText="current filter (SQL)")
        run = QPushButton("Compute drift")
        run.clicked.connect(self._run)
        bar = QHBoxLayout()
        for widget in (
            QLabel("Reference"),
            self.ref_version,
            self.ref_where,
            QLabel("Current"),
            self.cur_version,
            self.cur_where,
            run,
        ):
            bar.addWidget(widget)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["Column", "Verdict", "Test", "Statistic", "Threshold", "PSI"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellClicked.connect(lambda row, _c: self.show_column(self.table.item(row, 0).text()))
        self.chart = pg.PlotWidget(background="w", title="Reference (blue) and current (orange)")
        self.timeline = pg.PlotWidget(background="w", title="Per day: label drift (JS) and accuracy")
        self.timeline.addLegend(offset=(10, 10))
        self.note = QLabel("")
        self.note.setWordWrap(True)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addWidget(self.chart, 2)
        body.addWidget(self.timeline, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.note)
        layout.addLayout(body, 1)

    def set_versions(self, versions: list[tuple[int, str]], current: int | None) -> None:
        """Versions for both sides; both default to the shown version (compare windows or slices)."""
        for box in (self.ref_version, self.cur_version):
            box.clear()
            for vid, name in versions:
                box.addItem(name, vid)
            index = box.findData(current)
            box.setCurrentIndex(max(index, 0))

    def _run(self) -> None:
        self.runRequested.emit(
            int(self.ref_version.currentData()),
            self.ref_where.text(),
            int(self.cur_version.currentData()),
            self.cur_where.text(),
        )

    def show_results(
        self,
        results: list[ColumnDrift],
        reference: pl.DataFrame,
        current: pl.DataFrame,
        timeline: pl.DataFrame | None,
    ) -> None:
        """Fill the ranked table, the first column's distributions and the timeline."""
        self.results, self.reference, self.current = results, reference, current
        self.table.setRowCount(0)
        for d in results:
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = [d.column, d.verdict, d.test, f"{d.statistic:.3g}", f"{d.threshold:g}", f"{d.psi:.3f}"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if d.verdict in VERDICT_COLOUR:
                    item.setForeground(VERDICT_COLOUR[d.verdict])
                self.table.setItem(row, column, item)
        drifted = sum(d.drift for d in results)
        self.note.setText(
            f"Reference {reference.height:,} rows, current {current.height:,} rows: "
            f"{drifted} of {len(results)} columns drift (Evidently's defaults by reference size; "
            "a two-sample test marks significant shifts below the threshold)."
        )
        if results:
            self.show_column(results[0].column)
        self._timeline(timeline)

    def show_column(self, column: str) -> None:
        """Distributions of ``column``: shares per category, or histograms for numbers."""
        self.chart.clear()
        if self.reference is None or self.current is None:
            return
        ref, cur = self.reference[column].drop_nulls(), self.current[column].drop_nulls()
        kind = next((d.kind for d in self.results if d.column == column), "categorical")
        if kind == "numeric":
            edges = np.histogram_bin_edges(
                np.r_[ref.cast(pl.Float64).to_numpy(), cur.cast(pl.Float64).to_numpy()], 30
            )
            for values, colour in ((ref, REFERENCE), (cur, CURRENT)):
                counts, _ = np.histogram(values.cast(pl.Float64).to_numpy(), edges)
                self.chart.plot(
                    edges, counts / max(counts.sum(), 1), stepMode="center", pen=pg.mkPen(colour, width=2)
                )
            self.chart.getAxis("bottom").setTicks(None)
            return
        levels = (
            pl.concat([ref.cast(pl.String), cur.cast(pl.String)])
            .value_counts(sort=True)
            .head(15)[ref.name]
            .to_list()
        )
        x = np.arange(len(levels), dtype=float)
        for values, colour, shift in ((ref, REFERENCE, -0.2), (cur, CURRENT, 0.2)):
            counts = values.cast(pl.String).value_counts()
            share = dict(
                zip(counts[values.name].to_list(), (counts["count"] / values.len()).to_list(), strict=True)
            )
            heights = [share.get(v, 0.0) for v in levels]
            self.chart.addItem(pg.BarGraphItem(x=x + shift, height=heights, width=0.4, brush=colour))
        self.chart.getAxis("bottom").setTicks([[(float(i), str(v)[:12]) for i, v in enumerate(levels)]])

    def _timeline(self, timeline: pl.DataFrame | None) -> None:
        self.timeline.clear()
        if timeline is None or timeline.is_empty():
            self.timeline.setTitle("Per day: needs a time column")
            return
        x = np.arange(timeline.height, dtype=float)
        if "label_drift_js" in timeline.columns:
            self.timeline.plot(
                x,
                timeline["label_drift_js"].to_numpy(),
                pen=pg.mkPen(CURRENT, width=2),
                symbol="o",
                name="label drift (JS vs first day)",
            )
        if "accuracy" in timeline.columns:
            low, high = timeline["accuracy_low"].to_numpy(), timeline["accuracy_high"].to_numpy()
            upper = self.timeline.plot(x, high, pen=None)
            lower = self.timeline.plot(x, low, pen=None)
            self.timeline.addItem(pg.FillBetweenItem(upper, lower, brush=(31, 119, 180, 50)))
            self.timeline.plot(
                x, timeline["accuracy"].to_numpy(), pen=pg.mkPen(REFERENCE, width=2), name="accuracy (95% CI)"
            )
        time_col = timeline.columns[0]
        labels = [str(t)[5:10] for t in timeline[time_col].to_list()]
        self.timeline.getAxis("bottom").setTicks([[(float(i), s) for i, s in enumerate(labels)]])
        self.timeline.setYRange(0, 1)
