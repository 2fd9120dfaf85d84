"""The table: a lazily paged, sortable, searchable model over a polars DataFrame.

Sorting and filtering reorder a row map (positions into the frame) rather than the frame, the way
Orange's ``itemmodels`` sorts without a proxy model; cells are fetched a page at a time.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from analysis.selection import SelectionModel
from widgets.table_columns import cell_text, content_widths, fit_widths, is_string

PAGE_ROWS = 256
HIDDEN = ("_row_key", "_content_hash")


class FrameTableModel(QAbstractTableModel):
    """A Qt table model over a polars DataFrame, showing the rows listed in a row map."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.frame = pl.DataFrame()
        self.columns: list[str] = []
        self.row_map: NDArray[np.int64] = np.zeros(0, np.int64)
        self._pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self._sort: tuple[str, bool] | None = None

    def set_frame(self, frame: pl.DataFrame) -> None:
        """Show ``frame`` (all rows, file order)."""
        self.beginResetModel()
        self.frame = frame
        self.columns = [c for c in frame.columns if c not in HIDDEN]
        self.row_map = np.arange(frame.height, dtype=np.int64)
        self._pages.clear()
        self._sort = None
        self.endResetModel()

    def set_row_map(self, positions: NDArray[np.int64]) -> None:
        """Show only the rows at ``positions`` (kept in the current sort order)."""
        self.beginResetModel()
        self.row_map = self._sorted(np.asarray(positions, dtype=np.int64))
        self._pages.clear()
        self.endResetModel()

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
            rows = self.frame.select(self.columns)[positions.tolist()].rows()
            self._pages[page] = rows
            if len(self._pages) > 64:
                self._pages.popitem(last=False)
        return rows[view_row % PAGE_ROWS]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(self._row(index.row())[index.column()])
        if role == Qt.ItemDataRole.ToolTipRole:
            value = self._row(index.row())[index.column()]
            return cell_text(value) if value is None or isinstance(value, float) else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and self.columns[index.column()] == "correct":
            value = self._row(index.row())[index.column()]
            return QColor(46, 160, 67) if value else QColor(214, 39, 40) if value is False else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (self.columns[column], order == Qt.SortOrder.DescendingOrder)
        self.row_map = self._sorted(self.row_map)
        self._pages.clear()
        self.layoutChanged.emit()

    def _sorted(self, positions: NDArray[np.int64]) -> NDArray[np.int64]:
        if self._sort is None:
            return np.sort(positions)
        name, descending = self._sort
        values = self.frame[name][positions.tolist()]
        order = values.arg_sort(descending=descending, nulls_last=True).to_numpy()
        return positions[order]

    def row_ids(self, view_rows: list[int]) -> NDArray[np.int64]:
        """Return the ``_row_id`` of the given view rows."""
        positions = self.row_map[np.asarray(view_rows, dtype=np.int64)]
        return self.frame["_row_id"].to_numpy()[positions].astype(np.int64)


class TableView(QWidget):
    """The table view with a text search box; reads and writes the shared selection."""

    def __init__(self, selection: SelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.model = FrameTableModel(self)
        self.text_column: str | None = None
        self.search = QLineEdit(placeholderText="Search text… (Ctrl+F)", clearButtonEnabled=True)
        self.search.textChanged.connect(self._apply_filter)
        self.only_selected = QCheckBox("Show selection only")
        self.only_selected.setChecked(True)
        self.only_selected.toggled.connect(self._apply_filter)
        self.count = QLabel("")
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(self._on_section_resized)
        self.view.viewport().installEventFilter(self)
        self.view.selectionModel().selectionChanged.connect(self._on_user_selection)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.only_selected)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._syncing = False
        # Column widths: measured once per frame; the text column follows the view's width until
        # the user resizes it by hand.
        self._widths: dict[str, int] = {}
        self._fitting = False
        self._text_follows = True
        self._user_sized: set[str] = set()
        self._unsubscribe = selection.subscribe(self._on_selection)

    def set_frame(self, frame: pl.DataFrame, text_column: str | None) -> None:
        """Show a version's rows."""
        self.text_column = text_column
        # the old frame's widths name columns the new one may lack; resizes during the reset fit nothing
        self._widths = {}
        self._user_sized.clear()
        self.model.set_frame(frame)
        self.search.setEnabled(text_column is not None)
        self._apply_filter()
        self._widths = content_widths(
            frame,
            self.model.columns,
            text_column if text_column in self.model.columns else None,
            self.view.fontMetrics(),
            self.view.horizontalHeader().fontMetrics(),
        )
        self._text_follows = True
        self._user_sized.clear()
        self._fit_columns()

    def column_width(self, name: str) -> int:
        """The width in pixels of the column ``name`` as shown."""
        return self.view.columnWidth(self.model.columns.index(name))

    def _fit_columns(self) -> None:
        """Give each column its measured width and the text column the rest of the viewport."""
        has_text = self.text_column in self.model.columns
        # Without a text column the last column takes the spare room instead.
        self.view.horizontalHeader().setStretchLastSection(not has_text)
        if has_text and self._text_follows:
            shrinkable = {
                n for n in self._widths if n not in self._user_sized and is_string(self.model.frame[n].dtype)
            }
            widths, text = fit_widths(self.view.viewport().width(), self._widths, shrinkable)
            widths[str(self.text_column)] = text
        else:
            widths = dict(self._widths)
        self._fitting = True
        try:
            for i, name in enumerate(self.model.columns):
                if name in widths and self.view.columnWidth(i) != widths[name]:
                    self.view.setColumnWidth(i, widths[name])
        finally:
            self._fitting = False

    def _on_section_resized(self, index: int, _old: int, _new: int) -> None:
        if self._fitting or self.text_column not in self.model.columns:
            return
        if index == self.model.columns.index(self.text_column):
            self._text_follows = False
        elif 0 <= index < len(self.model.columns):
            self._widths[self.model.columns[index]] = _new
            self._user_sized.add(self.model.columns[index])
            self._fit_columns()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _base_positions(self) -> NDArray[np.int64]:
        frame = self.model.frame
        mask = np.ones(frame.height, dtype=bool)
        needle = self.search.text().strip()
        if needle and self.text_column:
            lowered = frame[self.text_column].cast(pl.String).str.to_lowercase()
            mask &= lowered.str.contains(needle.lower(), literal=True).fill_null(False).to_numpy()
        if self.only_selected.isChecked() and len(self.selection):
            chosen = np.zeros(frame.height, dtype=bool)
            ids = self.selection.row_ids
            chosen[ids[ids < frame.height]] = True
            mask &= chosen
        return np.flatnonzero(mask).astype(np.int64)

    def _apply_filter(self, *_: object) -> None:
        self.model.set_row_map(self._base_positions())
        self._select_view_rows()
        total = self.model.frame.height
        self.count.setText(f"{self.model.rowCount():,} of {total:,} rows")

    def _select_view_rows(self) -> None:
        """Mirror the shared selection in the table's own selection, as contiguous ranges."""
        self._syncing = True
        try:
            sel_model = self.view.selectionModel()
            chosen = np.zeros(self.model.frame.height, dtype=bool)
            ids = self.selection.row_ids
            chosen[ids[ids < chosen.size]] = True
            view_rows = np.flatnonzero(chosen[self.model.row_map])
            block = QItemSelection()
            if view_rows.size:
                breaks = np.flatnonzero(np.diff(view_rows) != 1)
                starts = np.r_[view_rows[0], view_rows[breaks + 1]]
                ends = np.r_[view_rows[breaks], view_rows[-1]]
                last = self.model.columnCount() - 1
                for a, b in zip(starts, ends, strict=True):
                    block.select(self.model.index(int(a), 0), self.model.index(int(b), last))
            sel_model.select(block, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._syncing = False

    def selected_view_rows(self) -> list[int]:
        """View rows currently selected in the table."""
        return sorted({i.row() for i in self.view.selectionModel().selectedRows()})

    def _on_user_selection(self, *_: object) -> None:
        if self._syncing:
            return
        rows = self.selected_view_rows()
        self.selection.set(self.model.row_ids(rows), source=self)

    def _on_selection(self, row_ids: NDArray[np.int64], source: object) -> None:
        if source is self:
            return
        if self.only_selected.isChecked():
            self._apply_filter()
        else:
            self._select_view_rows()
