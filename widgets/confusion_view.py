"""The confusion matrix: given label (rows) × predicted label (columns), counts or row-normalised."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from analysis.errors.confusion import confusion_counts
from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame


class ConfusionView(QWidget):
    """A heat-coloured confusion matrix; clicking a cell selects its rows everywhere."""

    def __init__(self, selection: SelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.frame: ViewFrame | None = None
        self.classes: list[str] = []
        self.counts = np.zeros((0, 0), np.int64)
        self.normalised = QCheckBox("Percent of each given label (recall per class on the diagonal)")
        self.normalised.toggled.connect(self._fill)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.cellClicked.connect(self.select_cell)
        self.note = QLabel("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.normalised)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Compute the matrix of the version's newest run."""
        self.frame = frame
        label = frame.label_column if frame else None
        if frame is None or label is None or "predicted" not in frame.rows.columns:
            self.classes, self.counts = [], np.zeros((0, 0), np.int64)
            self.note.setText("A confusion matrix needs labels and a model run.")
            self._fill()
            return
        self.classes = frame.class_names
        self.counts = confusion_counts(
            frame.rows[label].to_list(), frame.rows["predicted"].to_list(), self.classes
        )
        accuracy = np.trace(self.counts) / max(int(self.counts.sum()), 1)
        self.note.setText(
            f"{len(self.classes)} classes · accuracy {accuracy:.1%} · rows: given label, columns: predicted"
        )
        self._fill()

    def _fill(self, *_: object) -> None:
        k = len(self.classes)
        self.table.clear()
        self.table.setRowCount(k)
        self.table.setColumnCount(k)
        # Columns by number (with the class name as tooltip) keep a 77-class matrix on one screen.
        for j, name in enumerate(self.classes):
            header = QTableWidgetItem(str(j + 1))
            header.setToolTip(f"predicted: {name}")
            self.table.setHorizontalHeaderItem(j, header)
        self.table.setVerticalHeaderLabels([f"{i + 1} {name}" for i, name in enumerate(self.classes)])
        if k == 0:
            return
        totals = np.maximum(self.counts.sum(axis=1, keepdims=True), 1)
        shares = self.counts / totals
        shown = shares if self.normalised.isChecked() else self.counts
        top = max(float(shown.max()), 1e-9)
        for i in range(k):
            for j in range(k):
                value = shown[i, j]
                if self.counts[i, j] == 0:
                    continue
                text = f"{100 * value:.0f}" if self.normalised.isChecked() else str(int(value))
                item = QTableWidgetItem(text)
                strength = value / top
                base = (46, 160, 67) if i == j else (214, 39, 40)
                item.setBackground(QColor(*base, int(40 + 200 * strength)))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setToolTip(
                    f"given {self.classes[i]} → predicted {self.classes[j]}: {self.counts[i, j]} rows"
                )
                self.table.setItem(i, j, item)
        self.table.horizontalHeader().setDefaultSectionSize(38)
        self.table.verticalHeader().setDefaultSectionSize(20)

    def select_cell(self, row: int, column: int) -> None:
        """Select the rows with given label ``classes[row]`` and prediction ``classes[column]``."""
        if self.frame is None or not self.classes or self.frame.label_column is None:
            return
        rows = self.frame.rows
        mask = (rows[self.frame.label_column] == self.classes[row]) & (
            rows["predicted"] == self.classes[column]
        )
        self.selection.set(np.flatnonzero(mask.fill_null(False).to_numpy()), source=self)
