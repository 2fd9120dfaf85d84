"""The error-mode panel: rows and share per mode; a click selects them, a double-click colours the map."""

from __future__ import annotations

import numpy as np
import polars as pl
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from analysis.errors.tag_counts import TagCount
from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame
from widgets.swatch import swatch_icon

KIND_NAMES = {
    "error_mode": "automatic error mode",
    "failure_mode": "failure mode",
    "curation": "curation tag",
}


class ErrorPanel(QWidget):
    """Counts per error mode (automatic and human tags) for the shown version."""

    colourByTag = Signal(str)

    def __init__(self, selection: SelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.frame: ViewFrame | None = None
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Error mode", "Rows", "Share"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellClicked.connect(lambda row, _c: self.select_mode(self.table.item(row, 0).text()))
        self.table.cellDoubleClicked.connect(
            lambda row, _c: self.colourByTag.emit(self.table.item(row, 0).text())
        )
        self.note = QLabel("")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(QLabel("Click: select rows · double-click: colour the map"))
        self.table.setMinimumHeight(140)
        layout.addWidget(self.table, 1)
        # the thresholds note is long: it scrolls in at most 110 px rather than squeezing the table
        note_area = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        note_area.setWidget(self.note)
        note_area.setMaximumHeight(110)
        layout.addWidget(note_area)

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Show the counts of the version's tags."""
        self.frame = frame
        self.table.setRowCount(0)
        counts = frame.tag_counts() if frame is not None else []
        if frame is None or not counts:
            self.note.setText("No error modes yet: run the pipeline (Ctrl+R) to tag them.")
            return
        for entry in counts:
            row = self.table.rowCount()
            self.table.insertRow(row)
            # the colour is a swatch beside black text: a pale tag colour as text is unreadable
            name = QTableWidgetItem(swatch_icon(entry.colour), entry.name)
            name.setToolTip(describe(entry))
            count = QTableWidgetItem(f"{entry.rows:,}")
            share = QTableWidgetItem(f"{entry.share:.1%}")
            for item in (count, share):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, count)
            self.table.setItem(row, 2, share)
        notes = [x for x in frame.tags.filter(pl.col("source") == "auto")["note"].unique().to_list() if x]
        self.note.setText("\n".join([*notes, thresholds(frame.tag_params)]))

    def select_mode(self, tag: str) -> None:
        """Select the rows carrying ``tag``."""
        if self.frame is not None:
            self.selection.set(np.flatnonzero(self.frame.tag_mask(tag)), source=self)


def describe(entry: TagCount) -> str:
    """A tag's tooltip: its description, kind and who tagged its rows."""
    kind = KIND_NAMES.get(entry.kind, "tag")
    who = ", ".join(entry.sources)
    lines = [entry.description] if entry.description else []
    lines.append(f"{kind} · {entry.rows:,} rows tagged by {who}")
    return "\n".join(lines)


def thresholds(params: dict[str, object]) -> str:
    """The tag stage's thresholds in words (empty before the first tag run)."""
    if not params:
        return ""
    p = params
    # 'ranked' cuts at confident learning's estimate; the kNN threshold is only used by the others
    method = p["label_issue_method"]
    cut = "cut at cleanlab's estimate" if method == "ranked" else f"kNN > {p['knn_threshold']}"
    return (
        f"Thresholds: low margin < {p['low_margin']} · high loss ≥ {float(str(p['high_loss'])):.2f} · "
        f"label issues by {method} ({cut}) · near-duplicate "
        f"similarity ≥ {p['near_duplicate_similarity']} · outliers {float(str(p['outlier_share'])):.0%} · "
        f"error clusters q < {p['error_cluster_alpha']} · "
        f"annotator confidence < {p['min_annotator_confidence']}"
    )
