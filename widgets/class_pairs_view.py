"""A class × class count matrix made readable at any size: the largest confusions as a sorted list
beside a heatmap of the whole matrix. Used for the confusion matrix and a diff's label changes.

The counts and the rows of each cell come from :class:`analysis.class_pairs.ClassPairs`; this view
draws them and says which cell a person chose (``pairChosen``).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QTableView, QVBoxLayout, QWidget

from analysis.class_pairs import ClassPair, ClassPairs
from analysis.palette import palette_colour
from widgets.class_heatmap import ClassHeatmap
from widgets.swatch import swatch_icon

Index = QModelIndex | QPersistentModelIndex


class PairListModel(QAbstractTableModel):
    """The off-diagonal cells of a :class:`ClassPairs`, largest first: first class, second class,
    rows, and share of the first class's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: ClassPairs | None = None
        self.items: list[ClassPair] = []
        self.icons: list[QIcon] = []

    def set_pairs(self, pairs: ClassPairs | None) -> None:
        """Show the cells of ``pairs`` (None: none)."""
        self.beginResetModel()
        self.pairs = pairs
        self.items = pairs.pairs() if pairs is not None else []
        self.icons = [swatch_icon(palette_colour(int(i))) for i in pairs.colour_indices] if pairs else []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        first, second = (self.pairs.first_name, self.pairs.second_name) if self.pairs else ("", "")
        share = self.pairs.share_name if self.pairs else ""
        return (first.capitalize(), second.capitalize(), "Rows", share)[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self.pairs is None:
            return None
        pair, column = self.items[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column < 2:
                return self.pairs.classes[pair.first if column == 0 else pair.second]
            return f"{pair.count:,}" if column == 2 else f"{pair.share:.0%}"
        if role == Qt.ItemDataRole.DecorationRole and column < 2:
            return self.icons[pair.first if column == 0 else pair.second]
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.pairs.describe(pair.first, pair.second)} · click to select them"
        return None


class ClassPairsView(QWidget):
    """The largest pairs (left) and the heatmap of every cell (right), in a splitter.

    Emits ``pairChosen(first, second)`` (indices into ``pairs.classes``) when a person clicks a pair in
    the list or a cell of the heatmap; the owner turns it into a selection.
    """

    pairChosen = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pairs: ClassPairs | None = None
        self.model = PairListModel()
        self.list = QTableView()
        self.list.setModel(self.model)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setWordWrap(False)
        self.list.verticalHeader().hide()
        self.list.verticalHeader().setDefaultSectionSize(22)
        header = self.list.horizontalHeader()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # the widest counts are the first rows (largest first): measuring them, not the thousands of
        # pairs of a 77-class matrix, keeps showing a version quick
        header.setResizeContentsPrecision(50)
        self.list.clicked.connect(lambda index: self._choose_listed(index.row()))
        self.list.activated.connect(lambda index: self._choose_listed(index.row()))
        self.heatmap = ClassHeatmap()
        self.heatmap.cellClicked.connect(self.choose)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.heatmap)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        # two class names need ~400 px; the heatmap takes the rest (a ratio kept as the view resizes)
        self.splitter.setSizes([400, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def set_pairs(self, pairs: ClassPairs | None, normalised: bool = False) -> None:
        """Show ``pairs`` (None: an empty view)."""
        self.pairs = pairs
        self.model.set_pairs(pairs)
        self.list.setColumnHidden(3, pairs is None or not pairs.share_name)
        self.heatmap.set_pairs(pairs, normalised)

    def set_normalised(self, normalised: bool) -> None:
        """Shade the heatmap by each cell's share of its row, or by count."""
        self.heatmap.set_normalised(normalised)

    def choose(self, first: int, second: int) -> None:
        """Choose cell (``first``, ``second``): outline it, show it in the list when listed, and emit
        ``pairChosen``."""
        if self.pairs is None:
            return
        self.heatmap.show_chosen(first, second)
        row = next(
            (r for r, p in enumerate(self.model.items) if (p.first, p.second) == (first, second)), None
        )
        if row is None:
            self.list.clearSelection()
        else:
            self.list.selectRow(row)
            self.list.scrollTo(self.model.index(row, 0))
        self.pairChosen.emit(first, second)

    def _choose_listed(self, row: int) -> None:
        if 0 <= row < len(self.model.items):
            pair = self.model.items[row]
            self.choose(pair.first, pair.second)
