"""The drift view: a ranked table of columns with test, statistic, threshold and verdict, and charts —
the chosen column's distributions and the cluster shares on one page, metrics over time and one
class's precision and recall over time on another (a wide, low tab: each chart gets half its width),
and the diversity of the texts and responses on a third.

It draws a report and its charts as :mod:`analysis.drift` computed them, off the GUI thread."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from analysis.drift.charts import DriftCharts
from analysis.drift.report import DriftResult
from analysis.drift.summary import drift_summary
from widgets.drift_charts import draw_class_timeline, draw_cluster_shares, draw_distribution, draw_timeline
from widgets.tables import append_row, readonly_table

VERDICT_COLOUR = {"drift": QColor(214, 39, 40), "significant shift": QColor(255, 127, 14)}
EMPTY_NOTE = (
    "Choose the two sides (a version, and a filter for a time window or slice) and press Compute drift."
)
DIVERSITY_PAGE = 2
CHART_MIN = (220, 120)  # below this the axes leave no room for the data


def _combo(tooltip: str, chars: int) -> QComboBox:
    """A combo box as wide as ``chars`` characters, not as its longest entry (dataset and class
    names can be long)."""
    box = QComboBox(toolTip=tooltip)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(chars)
    return box


def _plot() -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    plot.setMinimumSize(*CHART_MIN)
    return plot


class DriftView(QWidget):
    """Emits ``runRequested(ref_version, ref_where, cur_version, cur_where, embeddings, bucket,
    diversity)`` (bucket: a polars duration, or "" for automatic); shows what comes back."""

    runRequested = Signal(int, str, int, str, bool, str, bool)
    showOnMap = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: DriftResult | None = None
        self.charts: DriftCharts | None = None
        self._blank = False  # the charts show their empty notes (redrawing them costs ~0.1 s)
        self.ref_version = _combo("Version of the reference rows", 14)
        self.cur_version = _combo("Version of the current rows", 14)
        self.ref_where = QLineEdit(placeholderText="reference filter (SQL), e.g. a time window")
        self.cur_where = QLineEdit(placeholderText="current filter (SQL)")
        self.embeddings = QCheckBox("Embeddings", toolTip="Also test the embeddings (domain classifier, MMD)")
        self.diversity = QCheckBox(
            "Diversity",
            toolTip="Also measure the diversity of the texts and of each run's responses on both sides "
            "(distinct-n, embedding spread, near-duplicates, cluster entropy); embeds the sampled texts",
        )
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
        # two rows of controls: one would not fit a 1000 px wide tab
        sides, actions = QHBoxLayout(), QHBoxLayout()
        for widget in (QLabel("Reference"), self.ref_version, self.ref_where):
            sides.addWidget(widget)
        sides.addSpacing(8)
        for widget in (QLabel("Current"), self.cur_version, self.cur_where):
            sides.addWidget(widget)
        for widget in (
            self.embeddings,
            self.diversity,
            QLabel("Bucket"),
            self.bucket,
            self.run_button,
            self.map_button,
        ):
            actions.addWidget(widget)
        actions.addStretch(1)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["Column", "Verdict", "Test", "Statistic", "Threshold", "PSI"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setToolTip("Click a column to draw its distributions")
        self.table.cellClicked.connect(lambda row, _c: self.show_column(self.table.item(row, 0).text()))
        self.chart, self.clusters, self.timeline, self.per_class = (_plot() for _ in range(4))
        self.class_box = _combo("Class whose precision and recall are drawn over time", 18)
        self.class_box.currentTextChanged.connect(self._show_class)
        self.class_panel = QWidget()
        class_layout = QVBoxLayout(self.class_panel)
        class_layout.setContentsMargins(0, 0, 0, 0)
        class_layout.addWidget(self.class_box)
        class_layout.addWidget(self.per_class, 1)
        self.pages = QTabWidget(documentMode=True)
        self.pages.addTab(self._page(self.chart, self.clusters), "Column and clusters")
        self.pages.addTab(self._page(self.timeline, self.class_panel), "Over time")
        self.diversity_table = readonly_table(["Texts", "Measure", "Reference", "Current", "Change"])
        self.diversity_table.setToolTip(
            "Each side measured on a sample of the same size; red: a drop worth a look (a tenth lost, "
            "or five more points of near-duplicates)"
        )
        self.pages.addTab(self.diversity_table, "Diversity")
        self.note = QLabel(EMPTY_NOTE)
        self.note.setWordWrap(True)
        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self.table)
        self.body.addWidget(self.pages)
        # a third for the table, two for the charts; set as sizes, since stretch factors only share
        # out room beyond the size hints (the charts' would leave the table 100 px)
        self.body.setSizes([1000, 2000])
        self.body.setStretchFactor(0, 1)
        self.body.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(sides)
        layout.addLayout(actions)
        layout.addWidget(self.note)
        layout.addWidget(self.body, 1)
        self.clear()

    @staticmethod
    def _page(left: QWidget, right: QWidget) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 2, 0, 0)
        row.addWidget(left, 1)
        row.addWidget(right, 1)
        return page

    def set_versions(self, versions: list[tuple[int, str]], current: int | None) -> None:
        """Versions for both sides; both default to the shown version (compare windows or slices)."""
        for box in (self.ref_version, self.cur_version):
            box.clear()
            for vid, name in versions:
                box.addItem(name, vid)
            box.setCurrentIndex(max(box.findData(current), 0))
        self.run_button.setEnabled(bool(versions))

    def _run(self) -> None:
        if self.ref_version.currentData() is None or self.cur_version.currentData() is None:
            return
        self.runRequested.emit(
            int(self.ref_version.currentData()),
            self.ref_where.text(),
            int(self.cur_version.currentData()),
            self.cur_where.text(),
            self.embeddings.isChecked(),
            str(self.bucket.currentData()),
            self.diversity.isChecked(),
        )

    def clear(self) -> None:
        """Show no report: an empty table, empty charts and the note saying how to compute one."""
        self.result, self.charts = None, None
        self.table.setRowCount(0)
        self.note.setText(EMPTY_NOTE)
        if not self._blank:
            draw_distribution(self.chart, None)
            draw_cluster_shares(self.clusters, None)
            draw_timeline(self.timeline, None)
            self._blank = True
        self._fill_classes()
        self.class_panel.setVisible(True)
        self.pages.setTabEnabled(1, True)
        self.diversity_table.setRowCount(0)
        self.pages.setTabEnabled(DIVERSITY_PAGE, False)
        self.map_button.setEnabled(False)

    def show_results(self, result: DriftResult, charts: DriftCharts) -> None:
        """Fill the ranked table and every chart."""
        self.result, self.charts = result, charts
        self._blank = False
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
        self.note.setText(drift_summary(result))
        draw_distribution(self.chart, None)
        if result.columns:
            self.show_column(result.columns[0].column)
        draw_cluster_shares(self.clusters, charts.clusters)
        draw_timeline(self.timeline, result.timeline)
        self._fill_classes()
        # charts over time only when there is a time column (and, per class, a model run)
        self.pages.setTabEnabled(1, result.timeline is not None)
        self.pages.setTabToolTip(1, "" if result.timeline is not None else "Needs a time column")
        self.class_panel.setVisible(bool(charts.classes))
        self.map_button.setEnabled(result.density is not None)
        self._fill_diversity(result.diversity or [])

    def _fill_diversity(self, rows: list[dict[str, Any]]) -> None:
        self.diversity_table.setRowCount(0)
        for d in rows:
            change = d["current"] - d["reference"]
            cells = [
                d["source"],
                d["measure"].replace("_", " "),
                f"{d['reference']:.3f}",
                f"{d['current']:.3f}",
            ]
            for item in append_row(self.diversity_table, [*cells, f"{change:+.3f}"]):
                if d["dropped"]:
                    item.setForeground(VERDICT_COLOUR["drift"])
        self.pages.setTabEnabled(DIVERSITY_PAGE, bool(rows))
        self.pages.setTabToolTip(DIVERSITY_PAGE, "" if rows else "Tick Diversity and compute again")

    def _fill_classes(self) -> None:
        self.class_box.blockSignals(True)
        self.class_box.clear()
        if self.charts is not None:
            # the classes whose recall moved most over time first
            for series in self.charts.classes:
                self.class_box.addItem(series.name)
        self.class_box.blockSignals(False)
        self._show_class(self.class_box.currentText())

    def show_column(self, column: str) -> None:
        """Distributions of ``column``, reference against current."""
        if self.charts is None or column not in self.charts.distributions:
            return
        draw_distribution(self.chart, self.charts.distributions[column])
        self.pages.setCurrentIndex(0)

    def _show_class(self, name: str) -> None:
        series = self.charts.class_named(name) if self.charts is not None else None
        draw_class_timeline(self.per_class, self.charts.buckets if self.charts else [], series)
