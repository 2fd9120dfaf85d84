"""The agreement view: how well a version's annotators agree, drawn from an
:class:`~analysis.labeling.agreement_report.AgreementResult`.

One line of figures (Krippendorff's alpha nominal and ordinal, Fleiss' kappa, observed agreement),
then three panes side by side to fit a wide, low tab: the annotator × annotator Cohen's kappa heatmap,
the per-label agreement bars and the annotators' CROWDLAB quality (two pages), and the rows the
annotators disagree on most. Selecting rows of that list emits ``rowsSelected``; **Send to review**
emits ``reviewRequested`` with the selected rows (all listed rows when none is selected). The view
computes nothing: ``computeRequested`` asks for the result.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from analysis.labeling.agreement_report import AgreementResult
from analysis.palette import PALE, RIGHT, WRONG, palette_colour
from widgets.class_heatmap import ClassAxis
from widgets.latency_chart import LatencyChart
from widgets.names import short_names
from widgets.tables import fitted_table, value_item

EMPTY_NOTE = "Agreement of several annotators: import their labels with --annotator-cols or --annotator."
LISTED = 500  # most-disagreed rows listed; the rest are counted
WHITE = np.array([255.0, 255.0, 255.0])


def kappa_rgba(kappa: NDArray[np.float64]) -> NDArray[np.uint8]:
    """uint8 (m, m, 4): green for agreement (kappa 1), white for chance (0), red below chance;
    pale grey where kappa is undefined (the pair shares too few rows) and on the diagonal."""
    values = np.nan_to_num(np.clip(kappa, -1.0, 1.0), nan=0.0)
    good, bad = np.array(RIGHT[:3], dtype=np.float64), np.array(WRONG[:3], dtype=np.float64)
    target = np.where(values[..., None] >= 0, good, bad)
    rgb = WHITE + (target - WHITE) * np.abs(values)[..., None]
    empty = np.isnan(kappa) | np.eye(kappa.shape[0], dtype=bool)
    rgb = np.where(empty[..., None], np.array(PALE[:3], dtype=np.float64), rgb)
    out = np.empty((*kappa.shape, 4), dtype=np.uint8)
    out[..., :3] = np.round(rgb)
    out[..., 3] = 255
    return out


class KappaHeatmap(pg.PlotWidget):
    """Cohen's kappa of each pair of annotators as a coloured matrix; hovering a cell names the pair,
    its kappa and the rows they share."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.left_axis, self.bottom_axis = ClassAxis("left", 18), ClassAxis("bottom", 16)
        super().__init__(parent, axisItems={"left": self.left_axis, "bottom": self.bottom_axis})
        self.setBackground("w")
        self.left_axis.setWidth(90)
        self.left_axis.chars = self.bottom_axis.chars = 11
        self.setMinimumSize(220, 160)
        self.result: AgreementResult | None = None
        self.image = pg.ImageItem(axisOrder="row-major")
        self.viewbox = self.getPlotItem().getViewBox()
        self.viewbox.addItem(self.image)
        self.viewbox.invertY(True)
        self.viewbox.setMenuEnabled(False)
        self.viewbox.setMouseEnabled(False, False)
        self.viewbox.setDefaultPadding(0.0)
        self.getPlotItem().hideButtons()
        self.scene().sigMouseMoved.connect(self._on_hover)

    def set_result(self, result: AgreementResult | None) -> None:
        """Draw the result's kappa matrix (None: nothing)."""
        self.result = result
        names = list(result.annotators) if result is not None else []
        self.left_axis.names = names
        # the columns by what tells the annotators apart ("Annotator1" … → "1" …): all of them fit
        self.bottom_axis.names = short_names(names)
        if result is None or not names:
            self.image.clear()
            return
        m = float(len(names))
        self.image.setImage(kappa_rgba(result.cohen), autoLevels=False)
        self.image.setRect(QRectF(0, 0, m, m))
        self.viewbox.setRange(xRange=(0, m), yRange=(0, m), padding=0)

    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """The (row annotator, column annotator) under a scene position, or None."""
        if self.result is None or not self.viewbox.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.viewbox.mapSceneToView(scene_pos)
        m = len(self.result.annotators)
        a, b = math.floor(point.y()), math.floor(point.x())
        return (a, b) if 0 <= a < m and 0 <= b < m else None

    def cell_centre(self, a: int, b: int) -> QPointF:
        """The widget position of cell (a, b)'s centre."""
        scene = self.viewbox.mapViewToScene(QPointF(b + 0.5, a + 0.5))
        return QPointF(self.mapFromScene(scene))

    def describe(self, a: int, b: int) -> str:
        """What a cell says, as its tooltip does."""
        assert self.result is not None
        names, shared = self.result.annotators, int(self.result.shared[a, b])
        if a == b:
            return f"{names[a]}: {shared:,} rows labelled"
        kappa = self.result.cohen[a, b]
        value = "undefined" if math.isnan(kappa) else f"{kappa:.2f}"
        return f"{names[a]} × {names[b]}: Cohen's kappa {value} on {shared:,} rows both labelled"

    def _on_hover(self, scene_pos: QPointF) -> None:
        cell = self.cell_at(scene_pos)
        if cell is None:
            QToolTip.hideText()
            return
        global_pos = self.viewport().mapToGlobal(self.mapFromScene(scene_pos))
        QToolTip.showText(global_pos, self.describe(*cell), self)


class LabelBars(pg.PlotWidget):
    """Specific agreement per label as bars in the labels' colours, on the labels' scale order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMinimumSize(200, 140)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.addItem(self.bars)
        plot = self.getPlotItem()
        plot.setLabel("left", "specific agreement")
        plot.setMouseEnabled(False, False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setYRange(0, 1, padding=0.02)
        self.heights: NDArray[np.float64] = np.zeros(0)

    def set_result(self, result: AgreementResult | None) -> None:
        """Draw one bar per label (none for a label whose agreement is undefined)."""
        if result is None:
            self.heights = np.zeros(0)
            self.bars.setOpts(x=[], height=[], brushes=[])
            self.getPlotItem().getAxis("bottom").setTicks([[]])
            return
        self.heights = np.nan_to_num(result.specific, nan=0.0)
        x = np.arange(len(result.labels), dtype=np.float64)
        brushes = [pg.mkBrush(QColor(*palette_colour(int(i)))) for i in result.colour_indices]
        self.bars.setOpts(
            x=x, height=self.heights, width=0.7, brushes=brushes, pens=[pg.mkPen(None)] * len(x)
        )
        # The labels alone fit under narrow bars; how often each was given is in the tooltip.
        self.getPlotItem().getAxis("bottom").setTicks([list(enumerate(result.labels))])
        self.setToolTip(
            "\n".join(
                f"{label}: given {int(result.label_counts[i]):,} times, specific agreement "
                + ("undefined" if math.isnan(result.specific[i]) else f"{result.specific[i]:.2f}")
                for i, label in enumerate(result.labels)
            )
        )
        self.getPlotItem().setXRange(-0.6, len(x) - 0.4, padding=0)


class AgreementView(QWidget):
    """Draws an agreement result; emits ``computeRequested()``, ``rowsSelected(row_ids)`` and
    ``reviewRequested(row_ids)`` (lists of ``_row_id``)."""

    computeRequested = Signal()
    rowsSelected = Signal(list)
    reviewRequested = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: AgreementResult | None = None
        self.note = QLabel(EMPTY_NOTE)
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.compute_button = QPushButton("Compute agreement")
        self.compute_button.setToolTip("Measure the shown version's annotator agreement again")
        self.compute_button.clicked.connect(self.computeRequested)
        self.heatmap = KappaHeatmap()
        self.bars = LabelBars()
        self.annotators = fitted_table(["Annotator", "Rows", "Quality", "Agrees", "Mean κ", "Worst"])
        self.annotators.setToolTip(
            "CROWDLAB quality (cleanlab): agreement with the other annotators and the consensus, weighted"
        )
        self.pages = QTabWidget(documentMode=True)
        self.pages.addTab(self.bars, "Per label")
        self.pages.addTab(self.annotators, "Annotators")
        self.latency = LatencyChart()
        self.pages.addTab(self.latency, "Labeling time")
        self.rows = fitted_table(["Disagree", "Labels given", "Consensus", "Text"])
        self.rows.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.rows.setToolTip("Rows whose annotators disagree most; select to show them, send them to review")
        self.rows.itemSelectionChanged.connect(self._selection_changed)
        self.rows_note = QLabel("")
        self.review_button = QPushButton("Send to review")
        self.review_button.setToolTip(
            "Queue the selected rows (all listed when none is selected) for review, consensus suggested"
        )
        self.review_button.clicked.connect(self._send)
        list_pane = QWidget()
        list_layout = QVBoxLayout(list_pane)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.rows, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.rows_note, 1)
        actions.addWidget(self.review_button)
        list_layout.addLayout(actions)
        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.setChildrenCollapsible(False)
        for widget in (self.heatmap, self.pages, list_pane):
            self.body.addWidget(widget)
        self.body.setSizes([800, 900, 1500])
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.compute_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.body, 1)
        self.clear()

    def clear(self, message: str = EMPTY_NOTE) -> None:
        """Show no result, and ``message`` (e.g. why there is none)."""
        self.result = None
        self.note.setText(message)
        self.heatmap.set_result(None)
        self.bars.set_result(None)
        self.latency.set_report(None)
        self.annotators.setRowCount(0)
        self.rows.setRowCount(0)
        self.rows_note.setText("")
        self.review_button.setEnabled(False)

    def show_result(self, result: AgreementResult) -> None:
        """Draw ``result``."""
        self.result = result
        self.note.setText(summary(result))
        self.heatmap.set_result(result)
        self.bars.set_result(result)
        self._fill_annotators(result)
        self._fill_rows(result)

    def _fill_annotators(self, result: AgreementResult) -> None:
        table = result.annotator_table
        self.annotators.setRowCount(table.height)
        for r, row in enumerate(table.iter_rows(named=True)):
            cells = [
                value_item(row["annotator"]),
                value_item(f"{row['rows']:,}", row["rows"]),
                value_item(_number(row["quality"]), row["quality"]),
                value_item(f"{row['agreement']:.0%}", row["agreement"]),
                value_item(_number(row["mean_kappa"], 2), row["mean_kappa"]),
                value_item(str(row["worst_class"])),
            ]
            for c, item in enumerate(cells):
                self.annotators.setItem(r, c, item)

    def _fill_rows(self, result: AgreementResult) -> None:
        ranked = result.disagreements.head(LISTED)
        texts = ranked["text"].to_list() if "text" in ranked.columns else [""] * ranked.height
        self.rows.blockSignals(True)
        self.rows.setRowCount(ranked.height)
        for r, (row, text) in enumerate(zip(ranked.iter_rows(named=True), texts, strict=True)):
            first = value_item(f"{row['disagreement']:.2f}", row["row_id"], f"row {row['row_id']}")
            shown = str(text or "").replace("\n", " ")
            cells = [
                first,
                value_item(row["labels"]),
                value_item(row["consensus"]),
                value_item(shown, tip=shown),
            ]
            for c, item in enumerate(cells):
                self.rows.setItem(r, c, item)
        self.rows.blockSignals(False)
        total = result.disagreements.height
        more = f" ({ranked.height:,} listed)" if total > ranked.height else ""
        self.rows_note.setText(f"{total:,} rows with disagreement{more}")
        self.review_button.setEnabled(ranked.height > 0)

    def selected_rows(self) -> list[int]:
        """The ``_row_id`` of the selected rows of the list, in list order."""
        picked = sorted({i.row() for i in self.rows.selectedIndexes()})
        return [int(self.rows.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in picked]

    def listed_rows(self) -> list[int]:
        """The ``_row_id`` of every listed row, most disagreement first."""
        return [int(self.rows.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(self.rows.rowCount())]

    def _selection_changed(self) -> None:
        rows = self.selected_rows()
        if rows:
            self.rowsSelected.emit(rows)

    def _send(self) -> None:
        rows = self.selected_rows() or self.listed_rows()
        if rows:
            self.reviewRequested.emit(rows)


def _number(value: float, digits: int = 3) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def summary(result: AgreementResult) -> str:
    """The result's figures in one or two lines."""
    scale = "" if result.ordered_by != "name" else " (labels ordered by name)"
    repeats = (
        f"; {result.repeats:,} repeat labels, {result.repeats_same / result.repeats:.0%} as first given"
        if result.repeats
        else ""
    )
    model = (
        "vote shares" if result.probabilities_source == "votes" else f"run '{result.probabilities_source}'"
    )
    return (
        f"Krippendorff's α nominal {_number(result.alpha_nominal)}, ordinal {_number(result.alpha_ordinal)}"
        f"{scale} · Fleiss' κ {_number(result.fleiss)} · observed agreement {result.observed:.1%} — "
        f"{len(result.annotators)} annotators, {result.rows:,} rows, {result.annotations:,} labels{repeats}. "
        f"Quality by CROWDLAB with the {model}."
    )
