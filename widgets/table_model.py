"""The rows table's model: a lazily paged, sortable Qt model over a polars DataFrame.

Sorting and filtering reorder a row map (positions into the frame) rather than the frame, the way
Orange's ``itemmodels`` sorts without a proxy model; cells are fetched a page at a time
(``DataFrame`` indexing by the page's positions, as polars' ``slice`` pages), so a million-row version
costs the model an int64 row map and the few pages on screen, never a million Python rows.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from widgets.runner import Runner
from widgets.table_columns import cell_text

PAGE_ROWS = 256
SORT_HERE = 100_000  # up to this many rows a sort runs in the GUI thread (1M texts take ~2 s)
PAGES_KEPT = 64
HIDDEN = ("_row_key", "_content_hash")
MARKED = QColor(38, 110, 200, 60)  # the shared selection's rows: a pale wash of the selection blue
RIGHT, WRONG = QColor(46, 160, 67), QColor(214, 39, 40)


class FrameTableModel(QAbstractTableModel):
    """A Qt table model over a polars DataFrame, showing the rows listed in a row map.

    Rows of the shared selection are *marked* (a pale background, :meth:`set_marked`) rather than put
    in Qt's own selection model: selecting 100,000 rows there costs seconds in Qt (one range per run
    of rows, and a repaint region per range), a mask costs nothing until a row is painted.

    A sort orders the whole frame once (:func:`sort_order`; by :attr:`sort_runner`, off the GUI
    thread, above :data:`SORT_HERE` rows); a filter then keeps that order with one pass over it.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.frame = pl.DataFrame()
        self.columns: list[str] = []
        self.row_map: NDArray[np.int64] = np.zeros(0, np.int64)
        self.marked: NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self._shown = self.frame
        self._pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self._sort: tuple[str, bool] | None = None  # the sort asked for: column, descending
        self._order: NDArray[np.int64] | None = None  # every position in the order of ``_ordered``
        self._ordered: tuple[str, bool] | None = None
        self.sort_runner: Runner | None = None

    def set_frame(self, frame: pl.DataFrame) -> None:
        """Show ``frame`` (all rows, file order)."""
        self.beginResetModel()
        self.frame = frame
        self.columns = [c for c in frame.columns if c not in HIDDEN]
        self._shown = frame.select(self.columns)
        self.row_map = np.arange(frame.height, dtype=np.int64)
        self.marked = np.zeros(frame.height, dtype=bool)
        self._pages.clear()
        self._sort = self._ordered = self._order = None
        self.endResetModel()

    def set_row_map(self, positions: NDArray[np.int64]) -> None:
        """Show only the rows at ``positions`` (kept in the current sort order)."""
        self.beginResetModel()
        self.row_map = self._sorted(np.asarray(positions, dtype=np.int64))
        self._pages.clear()
        self.endResetModel()

    def set_marked(self, marked: NDArray[np.bool_]) -> None:
        """Mark the rows at the positions where bool (frame height,) ``marked`` is True."""
        self.marked = marked
        if self.row_map.size and self.columns:
            # the view repaints what it shows of these; nothing is read for rows off screen
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(self.row_map.size - 1, len(self.columns) - 1),
                [Qt.ItemDataRole.BackgroundRole],
            )

    def pages_held(self) -> int:
        """How many pages of rows are materialised (at most :data:`PAGES_KEPT`)."""
        return len(self._pages)

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else int(self.row_map.size)

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if section < len(self.columns) else None
        return str(int(self.row_map[section])) if section < self.row_map.size else None

    def _row(self, view_row: int) -> tuple[Any, ...]:
        page = view_row // PAGE_ROWS
        rows = self._pages.get(page)
        if rows is None:
            positions = self.row_map[page * PAGE_ROWS : (page + 1) * PAGE_ROWS]
            rows = self._shown[positions].rows()
            self._pages[page] = rows
            if len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return rows[view_row % PAGE_ROWS]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(self._row(index.row())[index.column()])
        if role == Qt.ItemDataRole.BackgroundRole:
            position = self.row_map[index.row()]
            return MARKED if position < self.marked.size and self.marked[position] else None
        if role == Qt.ItemDataRole.ToolTipRole:
            value = self._row(index.row())[index.column()]
            return cell_text(value) if value is None or isinstance(value, float) else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and self.columns[index.column()] == "correct":
            value = self._row(index.row())[index.column()]
            return RIGHT if value else WRONG if value is False else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= len(self.columns):
            return
        key = (self.columns[column], order == Qt.SortOrder.DescendingOrder)
        frame, self._sort = self.frame, key
        work = partial(sort_order, frame[key[0]], key[1])
        if self.sort_runner is None or frame.height <= SORT_HERE:
            self._apply_order(frame, key, work())
        else:  # the rows stay in their order until the job has sorted them
            self.sort_runner(work, lambda positions: self._apply_order(frame, key, positions))

    def sorting(self) -> bool:
        """Whether a sort asked for is not applied yet (it runs in a job)."""
        return self._sort != self._ordered

    def _apply_order(self, frame: pl.DataFrame, key: tuple[str, bool], order: NDArray[np.int64]) -> None:
        if frame is not self.frame or key != self._sort:
            return  # another frame, or another sort asked for since
        self.layoutAboutToBeChanged.emit()
        self._order, self._ordered = order, key
        self.row_map = self._sorted(self.row_map)
        self._pages.clear()
        self.layoutChanged.emit()

    def _sorted(self, positions: NDArray[np.int64]) -> NDArray[np.int64]:
        order = self._order
        if order is None:
            # filters hand positions in frame order already; sorting them again costs ~50 ms at 1M
            ordered = positions.size < 2 or bool((positions[1:] >= positions[:-1]).all())
            return positions if ordered else np.sort(positions)
        if positions.size == order.size:
            return order  # every row
        keep = np.zeros(order.size, dtype=bool)
        keep[positions] = True
        return order[keep[order]]

    def row_ids(self, view_rows: Sequence[int] | NDArray[np.integer]) -> NDArray[np.int64]:
        """Return the ``_row_id`` of the given view rows (int64, in the order given)."""
        positions = self.row_map[np.asarray(view_rows, dtype=np.int64)]
        return self.frame["_row_id"].to_numpy()[positions].astype(np.int64)


def sort_order(values: pl.Series, descending: bool) -> NDArray[np.int64]:
    """Positions of ``values`` in sorted order, missing values last (int64 (n,))."""
    return values.arg_sort(descending=descending, nulls_last=True).to_numpy().astype(np.int64)
