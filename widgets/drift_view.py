"""The drift view: a ranked table of columns with test, statistic, threshold and verdict, and charts —
the chosen column's distributions, cluster shares, metrics over time and one class's precision and
recall over time."""

from __future__ import annotations

import polars as pl
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
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

from analysis.drift.report import DriftResult, Side
from widgets.drift_charts import draw_class_timeline, draw_cluster_shares, draw_distribution, draw_timeline

VERDICT_COLOUR = {"drift": QColor(214, 39, 40), "significant shift": QColor(255, 127, 14)}


class DriftView(QWidget):
    """Emits ``runRequested(ref_version, ref_where, cur_version, cur_where, embeddings, bucket)``
    (bucket: a polars duration, or "" for automatic); shows what comes back."""

    runRequested = Signal(int, str, int, str, bool, str)
    showOnMap = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: DriftResult | None = None
        self.sides: tuple[Side, Side] | None = None
        self.ref_version, self.cur_version = QComboBox(), QComboBox()
        self.ref_where = QLineEdit(placeholderText="reference filter (SQL), e.g. a time window")
        self.cur_where = QLineEdit(placeholderText="current filter (SQL)")
        self.embeddings = QCheckBox("Embeddings", toolTip="Also test the embeddings (domain classifier, MMD)")
        self.bucket = QComboBox(toolTip="Time bucket of the charts over time")
        for text, every in (
            ("automatic", ""),
            ("hour", "1h"),
            ("6 hours", "6h"),
            ("day", "1d"),
            ("week", "1w"),
        ):
            self.bucket.addItem(text, every)
        self.run_button = QPushButton("Compute drift")
        self.run_button.clicked.connect(self._run)
        self.map_button = QPushButton("Show on map", enabled=False)
        self.map_button.setToolTip("Colour the map by side and draw where the current rows are denser")
        self.map_button.clicked.connect(self.showOnMap)
        # two rows, so that the window keeps fitting a laptop screen
        sides, actions = QHBoxLayout(), QHBoxLayout()
        for widget in (QLabel("Reference"), self.ref_version, self.ref_where):
            sides.addWidget(widget)
        for widget in (QLabel("Current"), self.cur_version, self.cur_where):
            sides.addWidget(widget)
        for widget in (self.embeddings, QLabel("Bucket"), self.bucket, self.run_button, self.map_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["Column", "Verdict", "Test", "Statistic", "Threshold", "PSI"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellClicked.connect(lambda row, _c: self.show_column(self.table.item(row, 0).text()))
        self.chart, self.clusters, self.timeline, self.per_class = (
            pg.PlotWidget(background="w") for _ in range(4)
        )
        self.class_box = QComboBox(toolTip="Class whose precision and recall are drawn over time")
        self.class_box.currentTextChanged.connect(self._show_class)
        self.class_panel = QWidget()
        class_layout = QVBoxLayout(self.class_panel)
        class_layout.setContentsMargins(0, 0, 0, 0)
        class_layout.addWidget(self.class_box)
        class_layout.addWidget(self.per_class, 1)
        self.charts = charts = QGridLayout()
        charts.setRowStretch(0, 1)
        charts.setRowStretch(1, 1)
        charts.addWidget(self.chart, 0, 0)
        charts.addWidget(self.clusters, 0, 1)
        charts.addWidget(self.timeline, 1, 0)
        charts.addWidget(self.class_panel, 1, 1)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        body = QHBoxLayout()
        body.addWidget(self.table, 2)
        body.addLayout(charts, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(sides)
        layout.addLayout(actions)
        layout.addWidget(self.note)
        layout.addLayout(body, 1)

    def set_versions(self, versions: list[tuple[int, str]], current: int | None) -> None:
        """Versions for both sides; both default to the shown version (compare windows or slices)."""
        for box in (self.ref_version, self.cur_version):
            box.clear()
            for vid, name in versions:
                box.addItem(name, vid)
            box.setCurrentIndex(max(box.findData(current), 0))

    def _run(self) -> None:
        self.runRequested.emit(
            int(self.ref_version.currentData()),
            self.ref_where.text(),
            int(self.cur_version.currentData()),
            self.cur_where.text(),
            self.embeddings.isChecked(),
            str(self.bucket.currentData()),
        )

    def show_results(self, result: DriftResult, reference: Side, current: Side) -> None:
        """Fill the ranked table and every chart."""
        self.result, self.sides = result, (reference, current)
        self.table.setRowCount(0)
        for d in result.columns:
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = [d.column, d.verdict, d.test, f"{d.statistic:.3g}", f"{d.threshold:g}", f"{d.psi:.3f}"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if d.verdict in VERDICT_COLOUR:
                    item.setForeground(VERDICT_COLOUR[d.verdict])
                self.table.setItem(row, column, item)
        self.note.setText(self._summary(result))
        if result.columns:
            self.show_column(result.columns[0].column)
        draw_cluster_shares(self.clusters, result.clusters)
        draw_timeline(self.timeline, result.timeline)
        self.class_box.blockSignals(True)
        self.class_box.clear()
        if result.class_timeline is not None:
            # the classes whose recall moved most over time first
            recall = pl.col("recall").fill_nan(None)
            moved = (
                result.class_timeline.group_by("class")
                .agg((recall.max() - recall.min()).alias("range"))
                .sort("range", "class", descending=[True, False], nulls_last=True)
            )
            self.class_box.addItems(moved["class"].to_list())
        self.class_box.blockSignals(False)
        self._show_class(self.class_box.currentText() or None)
        # charts over time only when there is a time column (and, per class, a model run)
        self.timeline.setVisible(result.timeline is not None)
        self.class_panel.setVisible(result.class_timeline is not None)
        self.charts.addWidget(self.timeline, 1, 0, 1, 1 if result.class_timeline is not None else 2)
        self.charts.setRowStretch(1, 1 if result.timeline is not None else 0)
        self.map_button.setEnabled(result.density is not None)

    @staticmethod
    def _summary(result: DriftResult) -> str:
        drifted = sum(d.drift for d in result.columns)
        text = (
            f"Reference {result.reference_rows:,} rows, current {result.current_rows:,} rows: "
            f"{drifted} of {len(result.columns)} columns drift (Evidently's defaults by reference size; "
            "a two-sample test marks significant shifts below the threshold)."
        )
        if result.embeddings:
            e = result.embeddings
            text += (
                f" Embeddings: domain-classifier AUC {e['domain_classifier_auc']:.3f} "
                f"({'drift' if e['drift'] else 'no drift'} at 0.55), MMD p = {e['mmd_p_value']:.3g}."
            )
        placed = result.placement.get("current", {})
        if result.clusters and "same row" not in placed:
            how = ", ".join(f"{n:,} by {k}" for k, n in placed.items())
            text += f" Current rows placed on version {result.anchor_version}'s map: {how}."
        return text

    def show_column(self, column: str) -> None:
        """Distributions of ``column``, reference against current."""
        if self.sides is None or self.result is None:
            return
        numeric = next((d.kind == "numeric" for d in self.result.columns if d.column == column), False)
        draw_distribution(self.chart, self.sides[0].table[column], self.sides[1].table[column], numeric)

    def _show_class(self, name: str | None) -> None:
        draw_class_timeline(self.per_class, self.result.class_timeline if self.result else None, name or None)
