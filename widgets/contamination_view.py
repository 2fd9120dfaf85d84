"""The contamination view: rows of the shown version that copy rows of another set, listed side by
side with what they copy (checked row | matching row | kind | similarity | other set), the selected
pair's two texts in full below.

A bar on top names the other set (a version, ``DATASET:SLICE`` or ``gold:NAME``; typed or chosen),
the cosine threshold and the n-gram length, and **Check** emits ``checkRequested(against, threshold,
ngram)``. Selecting a pair emits ``rowSelected(row_id)`` (the checked row's ``_row_id``). The view
computes nothing: it draws a frame of pairs as :mod:`analysis.labeling.contamination_check` makes
them (``PAIR_SCHEMA``).
"""

from __future__ import annotations

import math

import polars as pl
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from analysis.labeling.contamination import KINDS
from widgets.tables import value_item

EMPTY_NOTE = (
    "Copies of an evaluation set or a gold set in the shown version: choose the other set and Check "
    "(near copies need the embeddings: run the pipeline first)."
)
HEADERS = ["Checked row", "Matching row", "Kind", "Similarity", "Against"]
LISTED = 2000  # pairs listed; the rest are counted
KIND_TIPS = {
    "exact": "the same text once casefolded, punctuation and extra spaces removed",
    "near": "cosine similarity of the embeddings at least the threshold",
    "ngram": "a run of words shared with the matching row",
}


def _one_line(text: object) -> str:
    return " ".join(str(text or "").split())


def similarity_text(row: dict[str, object]) -> str:
    """A pair's figures as the list shows them: the cosine (— without embeddings) and, for an n-gram
    overlap, the share of the row's n-grams the other set holds."""
    cosine = row.get("similarity")
    shown = "—" if not isinstance(cosine, float) or math.isnan(cosine) else f"{cosine:.3f}"
    overlap = row.get("overlap")
    if row.get("kind") == "ngram" and isinstance(overlap, float):
        shown += f" · {overlap:.0%} n-grams"
    return shown


def summary(pairs: pl.DataFrame, checked: str | None = None) -> str:
    """The pairs in one line: how many, by kind, against what."""
    if pairs.height == 0:
        return f"No copies found{f' in {checked}' if checked else ''}."
    found = pairs["kind"].to_list()
    by_kind = ", ".join(f"{k} {found.count(k):,}" for k in KINDS if k in found)
    against = ", ".join(pairs["against"].unique(maintain_order=True).to_list())
    where = f" of {checked}" if checked else ""
    return f"{pairs.height:,} rows{where} copy rows of {against}: {by_kind}."


class ContaminationView(QWidget):
    """Lists contaminated pairs; emits ``checkRequested(against, threshold, ngram)`` and
    ``rowSelected(row_id)``."""

    checkRequested = Signal(str, float, int)
    rowSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pairs = pl.DataFrame()
        self.against = QComboBox()
        self.against.setEditable(True)
        self.against.setMinimumContentsLength(16)
        self.against.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.against.setToolTip("The rows not to copy: DATASET, DATASET:VERSION, DATASET:SLICE or gold:NAME")
        self.threshold = QDoubleSpinBox(decimals=2, minimum=0.5, maximum=1.0, singleStep=0.01, value=0.95)
        self.threshold.setToolTip("Least cosine similarity of the embeddings for a near copy")
        self.ngram = QSpinBox(minimum=4, maximum=50, value=13)
        self.ngram.setToolTip("Words in a shared run (13, as LLM evaluation harnesses use)")
        self.check_button = QPushButton("Check")
        self.check_button.setToolTip("Check the shown version against these rows and tag the copies")
        self.check_button.clicked.connect(self._check)
        self.note = QLabel(EMPTY_NOTE)
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.checked_text = QPlainTextEdit(readOnly=True)
        self.checked_text.setPlaceholderText("The checked row's text")
        self.matching_text = QPlainTextEdit(readOnly=True)
        self.matching_text.setPlaceholderText("The text it copies")
        texts = QSplitter(Qt.Orientation.Horizontal)
        texts.addWidget(self.checked_text)
        texts.addWidget(self.matching_text)
        body = QSplitter(Qt.Orientation.Vertical)
        body.setChildrenCollapsible(False)
        body.addWidget(self.table)
        body.addWidget(texts)
        body.setSizes([300, 100])
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Against"))
        bar.addWidget(self.against, 1)
        bar.addWidget(QLabel("Cosine ≥"))
        bar.addWidget(self.threshold)
        bar.addWidget(QLabel("Words"))
        bar.addWidget(self.ngram)
        bar.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.note)
        layout.addWidget(body, 1)

    def set_choices(self, choices: list[str]) -> None:
        """The sets offered in *Against* (what is typed there stays)."""
        typed = self.against.currentText()
        self.against.blockSignals(True)
        self.against.clear()
        self.against.addItems(choices)
        self.against.setCurrentText(typed if typed else (choices[0] if choices else ""))
        self.against.blockSignals(False)

    def clear(self, message: str = EMPTY_NOTE) -> None:
        """List nothing, and say ``message``."""
        self.show_pairs(pl.DataFrame(), message)

    def show_pairs(self, pairs: pl.DataFrame, message: str | None = None) -> None:
        """List ``pairs`` (``PAIR_SCHEMA``, highest score first) and say ``message`` (default: their
        :func:`summary`)."""
        self.pairs = pairs.head(LISTED) if pairs.height else pl.DataFrame()
        more = f" ({LISTED:,} listed)" if pairs.height > LISTED else ""
        self.note.setText((message if message is not None else summary(pairs)) + more)
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(self.pairs.height)
        for r, row in enumerate(self.pairs.iter_rows(named=True)):
            text, match = _one_line(row["text"]), _one_line(row["match_text"])
            cells = [
                value_item(text, row["row_id"], f"{row['row_key']}: {row['text']}"),
                value_item(match, None, f"{row['match_key']}: {row['match_text']}"),
                value_item(row["kind"], None, f"{row['kinds']}: {KIND_TIPS.get(row['kind'], '')}"),
                value_item(similarity_text(row), row["score"]),
                value_item(str(row["against"])),
            ]
            for c, item in enumerate(cells):
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        self.checked_text.setPlainText("")
        self.matching_text.setPlainText("")

    def select_pair(self, index: int) -> None:
        """Select the ``index``-th listed pair (as a click does) and scroll it into view."""
        self.table.selectRow(index)
        item = self.table.item(index, 0)
        if item is not None:
            self.table.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _selection_changed(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        if not rows:
            return
        pair = self.pairs.row(rows[0], named=True)
        self.checked_text.setPlainText(f"{pair['row_key']}\n\n{pair['text']}")
        self.matching_text.setPlainText(f"{pair['match_key']} ({pair['against']})\n\n{pair['match_text']}")
        self.rowSelected.emit(int(pair["row_id"]))

    def _check(self) -> None:
        against = self.against.currentText().strip()
        if not against:
            self.note.setText(
                "Choose the rows to check against first (a dataset, DATASET:SLICE or gold:NAME)."
            )
            return
        self.checkRequested.emit(against, float(self.threshold.value()), int(self.ngram.value()))
