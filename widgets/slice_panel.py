"""The slice panel: a filter builder that shows its SQL, saved slices with metrics, discovered slices."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from analysis.slices.discovery import DiscoveredSlice
from analysis.slices.metrics import SliceMetrics
from widgets.tables import readonly_table

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "contains", "matches regex")


def condition(column: str, operator: str, value: str, numeric: bool) -> str:
    """One SQL condition from the builder's fields."""
    quoted = '"' + column.replace('"', '""') + '"'
    text = "'" + value.replace("'", "''") + "'"
    if operator == "contains":
        return f"{quoted} ILIKE '%{value.replace(chr(39), chr(39) * 2)}%'"
    if operator == "matches regex":
        return f"regexp_like({quoted}, {text})"
    if value.lower() in {"true", "false"}:
        return f"{quoted} {operator} {value.lower()}"
    return f"{quoted} {operator} {value if numeric else text}"


def _table(headers: list[str]) -> QTableWidget:
    return readonly_table(headers, min_height=80)


class SlicePanel(QWidget):
    """Emits intents; the slicing controller evaluates, saves, discovers and exports."""

    applyRequested = Signal(str)  # SQL WHERE (may be empty)
    saveRequested = Signal(str, str, bool)  # name, SQL, use the selection's row keys
    sliceChosen = Signal(str)  # saved slice name
    deleteRequested = Signal(str)  # saved slice name
    discoverRequested = Signal()
    exportRequested = Signal(str)  # SQL of the current filter
    compareRequested = Signal(str, str)  # run A, run B

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.numeric: set[str] = set()
        self.column = QComboBox()
        self.operator = QComboBox()
        self.operator.addItems(OPERATORS)
        self.value = QLineEdit(placeholderText="value")
        self.expression = QLineEdit(
            placeholderText="SQL WHERE expression, e.g. label = 'card_arrival' AND confidence < 0.5"
        )
        self.name = QLineEdit(placeholderText="slice name")
        builder = QHBoxLayout()
        builder.addWidget(self.column, 2)
        builder.addWidget(self.operator, 1)
        builder.addWidget(self.value, 2)
        joiners = QHBoxLayout()
        for text, joiner in (("AND", "AND"), ("OR", "OR"), ("AND NOT", "AND NOT")):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, j=joiner: self.add_condition(j))
            joiners.addWidget(button)
        # Short rows rather than one wide one: a dock is as wide as its widest row.
        actions = QHBoxLayout()
        save_row = QHBoxLayout()
        for row, text, slot in (
            (actions, "Select rows", lambda: self.applyRequested.emit(self.expression.text())),
            (actions, "Export…", lambda: self.exportRequested.emit(self.expression.text())),
            (
                save_row,
                "Save slice",
                lambda: self.saveRequested.emit(self.name.text(), self.expression.text(), False),
            ),
            (
                save_row,
                "Save selection",
                lambda: self.saveRequested.emit(self.name.text(), self.expression.text(), True),
            ),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        save_row.insertWidget(0, self.name, 1)
        self.delete = QPushButton("Delete slice")
        self.delete.setToolTip("Delete the chosen saved slice (Del; Ctrl+Z brings it back)")
        self.delete.setEnabled(False)
        self.delete.clicked.connect(self._emit_delete)
        actions.addStretch(1)
        actions.addWidget(self.delete)
        self.saved = _table(["Slice", "Rows", "Accuracy [95% CI]", "Errors vs rest", "q (BH)"])
        self.saved.cellClicked.connect(lambda r, _c: self.sliceChosen.emit(self.saved.item(r, 0).text()))
        self.saved.itemSelectionChanged.connect(
            lambda: self.delete.setEnabled(bool(self.saved.selectedItems()))
        )
        remove = QShortcut(QKeySequence.StandardKey.Delete, self.saved)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self._emit_delete)
        self.chart = pg.PlotWidget(background="w")
        self.class_chart = pg.PlotWidget(background="w")
        self.chart.setTitle("Accuracy (95% Wilson CI)", size="9pt")
        self.class_chart.setTitle("Lowest F1 per class", size="9pt")
        for chart in (self.chart, self.class_chart):
            chart.setMinimumHeight(130)
            chart.setMaximumHeight(240)  # the tables, not the charts, take extra room
        self.discover = QPushButton("Discover worst slices (SliceLine)")
        self.discover.clicked.connect(self.discoverRequested.emit)
        self.alpha = QDoubleSpinBox()
        self.alpha.setRange(0.01, 1.0)
        self.alpha.setSingleStep(0.05)
        self.alpha.setValue(0.6)
        self.alpha.setToolTip(
            "SliceLine's α: weight of the slice's error against its size (paper default 0.6)"
        )
        self.found = _table(["Discovered slice", "Rows", "Errors", "Score"])
        self.found.cellDoubleClicked.connect(self._open_found)
        self.run_a, self.run_b = QComboBox(), QComboBox()
        compare = QPushButton("Compare")
        compare.clicked.connect(
            lambda: self.compareRequested.emit(self.run_a.currentText(), self.run_b.currentText())
        )
        self.compare_row = QHBoxLayout()
        for widget in (QLabel("Run A"), self.run_a, QLabel("Run B"), self.run_b, compare):
            self.compare_row.addWidget(widget)
        self.comparison = _table(["Slice", "Rows", "A", "B", "B − A [95% CI]"])
        self.comparison.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(builder)
        layout.addLayout(joiners)
        layout.addWidget(self.expression)
        layout.addLayout(actions)
        layout.addLayout(save_row)
        layout.addWidget(self.message)
        layout.addWidget(self.saved, 1)
        charts = QHBoxLayout()
        charts.addWidget(self.chart)
        charts.addWidget(self.class_chart)
        layout.addLayout(charts)
        discover = QHBoxLayout()
        discover.addWidget(self.discover, 1)
        discover.addWidget(QLabel("α"))
        discover.addWidget(self.alpha)
        layout.addLayout(discover)
        layout.addWidget(self.found, 1)
        layout.addLayout(self.compare_row)
        layout.addWidget(self.comparison, 1)

    def _emit_delete(self) -> None:
        row = self.saved.currentRow()
        if row >= 0 and self.saved.item(row, 0) is not None:
            self.deleteRequested.emit(self.saved.item(row, 0).text())

    def _emit_compare(self) -> None:
        self.compareRequested.emit(self.run_a.currentText(), self.run_b.currentText())

    def set_runs(self, runs: list[str]) -> None:
        """The model runs that can be compared (the row shows only with two or more)."""
        for combo, pick in ((self.run_a, 0), (self.run_b, len(runs) - 1)):
            combo.clear()
            combo.addItems(runs)
            combo.setCurrentIndex(max(pick, 0))
        for i in range(self.compare_row.count()):
            self.compare_row.itemAt(i).widget().setVisible(len(runs) >= 2)
        self.comparison.setVisible(False)

    def show_comparison(self, rows: list[dict[str, object]]) -> None:
        """Accuracy of two runs per slice and their paired difference."""
        self.comparison.setRowCount(0)
        for r in rows:
            row = self.comparison.rowCount()
            self.comparison.insertRow(row)
            cells = [
                str(r["slice"]),
                f"{r['rows']:,}",
                f"{r['accuracy_a']:.1%}",
                f"{r['accuracy_b']:.1%}",
                f"{r['difference']:+.1%} [{r['difference_low']:+.1%}, {r['difference_high']:+.1%}]",
            ]
            for column, text in enumerate(cells):
                self.comparison.setItem(row, column, QTableWidgetItem(text))
        self.comparison.setVisible(True)

    def set_columns(self, columns: list[str], numeric: set[str]) -> None:
        """The columns a condition can use."""
        self.numeric = numeric
        self.column.clear()
        self.column.addItems(columns)

    def add_condition(self, joiner: str = "AND") -> None:
        """Append the builder's condition to the expression."""
        part = condition(
            self.column.currentText(),
            self.operator.currentText(),
            self.value.text(),
            self.column.currentText() in self.numeric,
        )
        current = self.expression.text().strip()
        if joiner == "AND NOT":
            part = f"NOT ({part})"
            joiner = "AND"
        self.expression.setText(f"{current} {joiner} {part}" if current else part)

    def show_metrics(self, metrics: list[SliceMetrics], broken: dict[str, str] | None = None) -> None:
        """Fill the saved-slices table and the accuracy chart; ``broken`` slices (name → reason) are
        listed greyed out so they can be chosen and deleted."""
        self.saved.setRowCount(0)
        self.delete.setEnabled(False)
        for m in metrics:
            row = self.saved.rowCount()
            self.saved.insertRow(row)
            cells = [
                m.name,
                f"{m.rows:,} ({m.share:.1%})",
                f"{m.accuracy:.1%} [{m.accuracy_low:.1%}, {m.accuracy_high:.1%}]",
                f"{m.error_rate:.1%} / {m.rest_error_rate:.1%}",
                f"{m.q_value:.2g}",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column and m.q_value < 0.05 and m.error_rate > m.rest_error_rate:
                    item.setForeground(Qt.GlobalColor.red)
                self.saved.setItem(row, column, item)
        for name, reason in (broken or {}).items():
            row = self.saved.rowCount()
            self.saved.insertRow(row)
            for column, text in enumerate([name, "cannot be used on this version"]):
                item = QTableWidgetItem(text)
                item.setForeground(Qt.GlobalColor.gray)
                item.setToolTip(reason)
                self.saved.setItem(row, column, item)
        self.chart.clear()
        if metrics:
            y = np.arange(len(metrics))[::-1].astype(float)
            acc = np.array([m.accuracy for m in metrics])
            self.chart.addItem(
                pg.BarGraphItem(x0=np.zeros(len(metrics)), y=y, width=acc, height=0.6, brush=(158, 202, 225))
            )
            low = acc - np.array([m.accuracy_low for m in metrics])
            high = np.array([m.accuracy_high for m in metrics]) - acc
            self.chart.addItem(
                pg.ErrorBarItem(x=acc, y=y, left=low, right=high, beam=0.2, pen=pg.mkPen((40, 40, 40)))
            )
            axis = self.chart.getAxis("left")
            axis.setTicks([[(float(yy), m.name) for yy, m in zip(y, metrics, strict=True)]])
            self.chart.setXRange(0, 1)

    def show_classes(self, metrics: SliceMetrics | None) -> None:
        """Bars of the lowest per-class F1 scores of one slice."""
        self.class_chart.clear()
        if metrics is None or not metrics.per_class:
            return
        worst = sorted((c for c in metrics.per_class if c["support"] > 0), key=lambda c: c["f1"])[:8]
        y = np.arange(len(worst))[::-1].astype(float)
        self.class_chart.addItem(
            pg.BarGraphItem(
                x0=np.zeros(len(worst)),
                y=y,
                width=[c["f1"] for c in worst],
                height=0.6,
                brush=(214, 39, 40, 160),
            )
        )
        self.class_chart.getAxis("left").setTicks(
            [[(float(yy), f"{_short(c['class'])} ({c['support']})") for yy, c in zip(y, worst, strict=True)]]
        )
        self.class_chart.setXRange(0, 1)

    def show_found(self, found: list[DiscoveredSlice]) -> None:
        """List SliceLine's slices; double-click opens one in the builder."""
        self.found.setRowCount(0)
        for f in found:
            row = self.found.rowCount()
            self.found.insertRow(row)
            for column, text in enumerate([f.where, f"{f.size:,}", f"{f.error_rate:.1%}", f"{f.score:.3f}"]):
                self.found.setItem(row, column, QTableWidgetItem(text))
        if not found:
            self.message.setText(
                "SliceLine found no slice scoring above 0 with α 0.6 (errors are spread evenly)."
            )

    def _open_found(self, row: int, _column: int = 0) -> None:
        self.expression.setText(self.found.item(row, 0).text())
        self.applyRequested.emit(self.expression.text())


def _short(name: str, limit: int = 18) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
