"""The slice panel: a filter builder that shows its SQL, saved slices with metrics, discovered slices,
two runs compared, and the charts.

Laid out for a wide, short tab of the work area (about 1000–1300 × 300–420 px at 1366 × 768): the
builder and the tables on the left take most of the width; the charts stand on the right in a
splitter. The three tables share one place as tabs, so each gets the full height.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QResizeEvent, QShortcut, QTextLayout
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from analysis.palette import RGBA
from analysis.slices.builder import JOINERS, OPERATORS, BuildError, FilterColumn, Kind, combine, condition
from analysis.slices.discovery import DiscoveredSlice
from analysis.slices.metrics import SliceMetrics
from analysis.slices.tokens import total_tokens
from widgets.slice_charts import SliceCharts
from widgets.tables import readonly_table

SAVED_TAB, FOUND_TAB, COMPARE_TAB = 0, 1, 2


class MessageLine(QLabel):
    """What the panel last did or why it could not: at most two lines, the rest elided, the whole
    text in the tooltip (a long error with the column list would otherwise take the tables' room).
    :meth:`text` returns the whole text."""

    LINES = 2

    def __init__(self) -> None:
        super().__init__("")
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFixedHeight(QFontMetrics(self.font()).lineSpacing() * self.LINES + 2)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text if text else "")
        self._fit()

    def text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        return QSize(50, self.height())  # any width: the text is elided to it

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = max(self.width(), 50)
        metrics = QFontMetrics(self.font())
        layout = QTextLayout(self._full, self.font())
        layout.beginLayout()
        lines: list[str] = []
        start = 0
        while len(lines) < self.LINES - 1:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            lines.append(self._full[start : start + line.textLength()].rstrip())
            start += line.textLength()
        layout.endLayout()
        rest = self._full[start:]
        if rest:
            lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
        super().setText("\n".join(lines))


def _table(headers: list[str]) -> QTableWidget:
    return readonly_table(headers, min_height=80)


def _button(text: str, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    return button


def _row(*widgets: QWidget, stretch: dict[int, int] | None = None) -> QHBoxLayout:
    row = QHBoxLayout()
    for i, widget in enumerate(widgets):
        row.addWidget(widget, (stretch or {}).get(i, 0))
    return row


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
        self.kinds: dict[str, Kind] = {}
        self.column = QComboBox()
        self.column.setToolTip("Column (tag_<name> columns are the tags)")
        self.operator = QComboBox()
        self.operator.addItems(OPERATORS)
        for combo, chars in ((self.column, 14), (self.operator, 8)):
            # Long column names must not widen the builder row past the panel.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
        self.value = QLineEdit(placeholderText="value")
        self.value.returnPressed.connect(lambda: self.add_condition("AND"))
        self.expression = QLineEdit(
            placeholderText="SQL WHERE expression, e.g. label = 'card_arrival' AND confidence < 0.5"
        )
        self.expression.returnPressed.connect(lambda: self.applyRequested.emit(self.expression.text()))
        self.name = QLineEdit(placeholderText="slice name")
        joiners = []
        for joiner in JOINERS:
            button = _button(joiner, f"Add the condition to the expression with {joiner}")
            button.clicked.connect(lambda _=False, j=joiner: self.add_condition(j))
            joiners.append(button)
        select = _button("Select rows", "Select the rows matching the expression everywhere (Enter)")
        select.clicked.connect(lambda: self.applyRequested.emit(self.expression.text()))
        export = _button("Export…", "Export the matching rows with a manifest")
        export.clicked.connect(lambda: self.exportRequested.emit(self.expression.text()))
        save = _button("Save slice", "Save the expression under the name")
        save.clicked.connect(lambda: self.saveRequested.emit(self.name.text(), self.expression.text(), False))
        save_selection = _button("Save selection", "Save the selected rows (and the expression) as a slice")
        save_selection.clicked.connect(
            lambda: self.saveRequested.emit(self.name.text(), self.expression.text(), True)
        )
        self.delete = _button("Delete slice", "Delete the chosen saved slice (Del; Ctrl+Z brings it back)")
        self.delete.setEnabled(False)
        self.delete.clicked.connect(self._emit_delete)
        self.message = MessageLine()

        self.saved = _table(["Slice", "Rows", "Tokens", "Accuracy [95% CI]", "Errors vs rest", "q (BH)"])
        self.saved.cellClicked.connect(lambda r, _c: self.sliceChosen.emit(self.saved.item(r, 0).text()))
        self.saved.itemSelectionChanged.connect(
            lambda: self.delete.setEnabled(bool(self.saved.selectedItems()))
        )
        remove = QShortcut(QKeySequence.StandardKey.Delete, self.saved)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self._emit_delete)

        self.discover = _button(
            "Discover worst slices (SliceLine)", "Find the slices where the model errs most"
        )
        self.discover.clicked.connect(self.discoverRequested.emit)
        self.alpha = QDoubleSpinBox()
        self.alpha.setRange(0.01, 1.0)
        self.alpha.setSingleStep(0.05)
        self.alpha.setValue(0.6)
        self.alpha.setToolTip(
            "SliceLine's α: weight of the slice's error against its size (paper default 0.6; "
            "closer to 1 finds smaller, worse slices)"
        )
        self.found = _table(["Discovered slice (double-click to select)", "Rows", "Errors", "Score"])
        self.found.cellDoubleClicked.connect(self._open_found)

        self.run_a, self.run_b = QComboBox(), QComboBox()
        self.compare = _button("Compare", "Accuracy of both runs on every saved slice")
        self.compare.clicked.connect(
            lambda: self.compareRequested.emit(self.run_a.currentText(), self.run_b.currentText())
        )
        self.comparison = _table(["Slice", "Rows", "A", "B", "B − A [95% CI]"])

        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.saved, "Saved slices")
        found = QWidget()
        found_layout = QVBoxLayout(found)
        found_layout.setContentsMargins(0, 4, 0, 0)
        found_layout.addLayout(_row(self.discover, QLabel("α"), self.alpha, QWidget(), stretch={3: 1}))
        found_layout.addWidget(self.found, 1)
        self.tabs.addTab(found, "Discovered")
        compare = QWidget()
        compare_layout = QVBoxLayout(compare)
        compare_layout.setContentsMargins(0, 4, 0, 0)
        compare_layout.addLayout(
            _row(QLabel("Run A"), self.run_a, QLabel("Run B"), self.run_b, self.compare, stretch={1: 1, 3: 1})
        )
        compare_layout.addWidget(self.comparison, 1)
        self.tabs.addTab(compare, "Compare runs")
        self.tabs.setTabVisible(COMPARE_TAB, False)

        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(_row(self.column, self.operator, self.value, *joiners, stretch={0: 2, 1: 1, 2: 2}))
        layout.addLayout(_row(self.expression, select, export, stretch={0: 1}))
        layout.addLayout(_row(self.name, save, save_selection, self.delete, stretch={0: 1}))
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

        self.charts = SliceCharts()
        self.chart, self.class_chart = self.charts.accuracy, self.charts.classes
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.charts)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(self.splitter)

    # -- intents ------------------------------------------------------------------------------
    def _emit_delete(self) -> None:
        row = self.saved.currentRow()
        if row >= 0 and self.saved.item(row, 0) is not None:
            self.deleteRequested.emit(self.saved.item(row, 0).text())

    def _open_found(self, row: int, _column: int = 0) -> None:
        self.expression.setText(self.found.item(row, 0).text())
        self.applyRequested.emit(self.expression.text())

    def add_condition(self, joiner: str = "AND") -> None:
        """Append the builder's condition to the expression (the reason is shown when the value does
        not fit the column)."""
        column = self.column.currentText()
        kind = self.kinds.get(column, "text")
        try:
            part = condition(column, self.operator.currentText(), self.value.text(), kind)
        except BuildError as err:
            self.message.setText(str(err))
            return
        self.expression.setText(combine(self.expression.text(), part, joiner))

    # -- what the controller shows -----------------------------------------------------------
    def set_columns(self, columns: list[FilterColumn]) -> None:
        """The columns a condition can use (the filter table's, tags included); the chosen column is
        kept when it is still there."""
        current = self.column.currentText()
        self.kinds = {c.name: c.kind for c in columns}
        self.column.blockSignals(True)
        self.column.clear()
        self.column.addItems([c.name for c in columns])
        if current in self.kinds:
            self.column.setCurrentText(current)
        self.column.blockSignals(False)

    def set_runs(self, runs: list[str]) -> None:
        """The model runs that can be compared (the Compare tab shows only with two or more)."""
        for combo, pick in ((self.run_a, 0), (self.run_b, len(runs) - 1)):
            combo.clear()
            combo.addItems(runs)
            combo.setCurrentIndex(max(pick, 0))
        self.tabs.setTabVisible(COMPARE_TAB, len(runs) >= 2)
        self.comparison.setRowCount(0)

    def set_busy(self, what: str, busy: bool) -> None:
        """Show that ``what`` (``discover``, ``compare``) is running; its button waits meanwhile."""
        button, idle = {
            "discover": (self.discover, "Discover worst slices (SliceLine)"),
            "compare": (self.compare, "Compare"),
        }[what]
        button.setEnabled(not busy)
        button.setText("Working…" if busy else idle)

    def show_comparison(self, rows: list[dict[str, object]]) -> None:
        """Accuracy of two runs per slice and their paired difference."""
        self.comparison.setRowCount(0)
        for r in rows:
            cells = [
                str(r["slice"]),
                f"{r['rows']:,}",
                f"{r['accuracy_a']:.1%}",
                f"{r['accuracy_b']:.1%}",
                f"{r['difference']:+.1%} [{r['difference_low']:+.1%}, {r['difference_high']:+.1%}]",
            ]
            self._append(self.comparison, cells)
        self.tabs.setCurrentIndex(COMPARE_TAB)

    def show_metrics(self, metrics: list[SliceMetrics], broken: dict[str, str] | None = None) -> None:
        """Fill the saved-slices table and the accuracy chart; ``broken`` slices (name → reason) are
        listed greyed out so they can be chosen and deleted."""
        self.saved.setRowCount(0)
        self.delete.setEnabled(False)
        for m in metrics:
            cells = [
                m.name,
                f"{m.rows:,} ({m.share:.1%})",
                f"{total:,}" if (total := total_tokens(m.tokens)) is not None else "",
                f"{m.accuracy:.1%} [{m.accuracy_low:.1%}, {m.accuracy_high:.1%}]",
                f"{m.error_rate:.1%} / {m.rest_error_rate:.1%}",
                f"{m.q_value:.2g}",
            ]
            worse = m.q_value < 0.05 and m.error_rate > m.rest_error_rate
            for column, item in enumerate(self._append(self.saved, cells)):
                if column and worse:
                    item.setForeground(Qt.GlobalColor.red)
        for name, reason in (broken or {}).items():
            for item in self._append(self.saved, [name, "cannot be used on this version"]):
                item.setForeground(Qt.GlobalColor.gray)
                item.setToolTip(reason)
        self.charts.show_accuracy(metrics)

    def show_classes(self, metrics: SliceMetrics | None, colours: dict[str, RGBA] | None = None) -> None:
        """The classes with the lowest F1 in one slice, each in its project colour."""
        if metrics is None:
            self.charts.show_classes([], {})
        else:
            self.charts.show_classes(metrics.lowest_f1(), colours or {}, metrics.name)

    def show_found(self, found: list[DiscoveredSlice], alpha: float | None = None) -> None:
        """List SliceLine's slices (double-click opens one); ``alpha`` is the α they were found with,
        given when a search ran (the Discovered tab is shown then)."""
        self.found.setRowCount(0)
        for f in found:
            self._append(self.found, [f.where, f"{f.size:,}", f"{f.error_rate:.1%}", f"{f.score:.3f}"])
        if alpha is None:
            return
        self.tabs.setCurrentIndex(FOUND_TAB)
        self.message.setText(
            f"SliceLine found {len(found)} slice{'s' if len(found) != 1 else ''} with α {alpha:g}."
            if found
            else f"SliceLine found no slice scoring above 0 with α {alpha:g}: errors are spread evenly "
            "over these columns (a larger α looks for smaller, worse slices)."
        )

    @staticmethod
    def _append(table: QTableWidget, cells: list[str]) -> list[QTableWidgetItem]:
        row = table.rowCount()
        table.insertRow(row)
        items = []
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 0:
                item.setToolTip(text)
            table.setItem(row, column, item)
            items.append(item)
        return items
