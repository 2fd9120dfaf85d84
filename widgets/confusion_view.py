"""The confusion matrix: the largest confusions (given → predicted) as a list beside a heatmap of every
class pair; clicking a pair or a cell selects its rows everywhere."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from analysis.class_pairs import ClassPairs
from analysis.errors.confusion import confusion_pairs
from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame
from widgets.class_pairs_view import ClassPairsView


class ConfusionView(QWidget):
    """Given label × predicted label of the shown version's run (:class:`ClassPairsView`)."""

    def __init__(self, selection: SelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.frame: ViewFrame | None = None
        self.pairs: ClassPairs | None = None
        self.note = QLabel("")
        self.note.setToolTip(
            "Left: the confusions, largest first. Right: every given × predicted cell; hover a cell for "
            "its classes, the wheel zooms. Click either to select the rows."
        )
        self.normalised = QCheckBox("Shade by share of each given label")
        self.normalised.setToolTip(
            "Colour each cell by its share of the given label's rows (recall on the diagonal)"
        )
        self.matrix = ClassPairsView()
        self.normalised.toggled.connect(self.matrix.set_normalised)
        self.matrix.pairChosen.connect(self.select_cell)
        bar = QHBoxLayout()
        bar.addWidget(self.note, 1)
        bar.addWidget(self.normalised)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.matrix, 1)

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Show the confusion matrix of the version's newest run."""
        self.frame = frame
        label = frame.label_column if frame else None
        if frame is None or label is None or "predicted" not in frame.rows.columns:
            self.pairs = None
            self.note.setText("A confusion matrix needs labels and a model run.")
        else:
            self.pairs = confusion_pairs(frame.rows, label, frame.class_names, frame.class_order)
            confused = len(self.pairs.pairs())
            self.note.setText(
                f"{len(self.pairs.classes)} classes · accuracy {self.pairs.agreement:.1%} · "
                f"{confused:,} confused pairs"
            )
        self.matrix.set_pairs(self.pairs, self.normalised.isChecked())

    def select_cell(self, first: int, second: int) -> None:
        """Select the rows given ``pairs.classes[first]`` and predicted ``pairs.classes[second]``."""
        if self.pairs is not None:
            self.selection.set(self.pairs.rows(first, second), source=self)
