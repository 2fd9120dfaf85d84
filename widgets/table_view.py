"""The rows table with a text search box; it reads and writes the shared selection.

The model (:mod:`widgets.table_model`) pages rows lazily and marks the shared selection with a mask.
The search waits for a pause in the typing on big versions and, like a sort, may run elsewhere: the
window hands the view runners that search and sort in jobs (:attr:`TableView.search_runner`,
:attr:`FrameTableModel.sort_runner`), so a million texts never block the window.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import polars as pl
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
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
from analysis.text_search import text_matches
from widgets.runner import Runner
from widgets.table_columns import content_widths, fit_widths, is_string
from widgets.table_model import FrameTableModel

SEARCH_AT_ONCE = 50_000  # up to this many rows the search follows each key (a few ms); above, it waits
SEARCH_PAUSE_MS = 200  # … for this long a pause in the typing


class TableView(QWidget):
    """The table view with a text search box; reads and writes the shared selection.

    Attributes
    ----------
    search_runner : widgets.runner.Runner or None
        Runs a search of a big version elsewhere (the window's job runner); None searches here.
    """

    def __init__(self, selection: SelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.model = FrameTableModel(self)
        self.text_column: str | None = None
        self.search = QLineEdit(placeholderText="Search text… (Ctrl+F)", clearButtonEnabled=True)
        self.search.textChanged.connect(self._on_search_text)
        self.search_runner: Runner | None = None
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self._start_search)
        self._matches: NDArray[np.bool_] | None = None  # rows matching ``_matched`` (None: no search)
        self._matched = ""
        self._epoch = 0  # counts frames shown, so a search of a frame no longer shown is dropped
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
        self._epoch += 1
        self._search_timer.stop()
        self.model.set_frame(frame)
        self.search.setEnabled(text_column is not None)
        self._matches, self._matched = None, ""
        if self._needle():
            self._start_search()  # the search typed stays; a runner hands the matches back later
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

    # -- search -------------------------------------------------------------------------------
    def _needle(self) -> str:
        return self.search.text().strip() if self.text_column else ""

    def _on_search_text(self, _text: str) -> None:
        if self.model.frame.height <= SEARCH_AT_ONCE or not self._needle():
            self._start_search()  # small, or cleared: nothing to wait for
        else:
            self._search_timer.start()  # restarted by each key: the search runs after a pause
            self._show_count()

    def _start_search(self) -> None:
        self._search_timer.stop()
        needle, column = self._needle(), self.text_column
        if not needle or column is None:
            self._show_matches(self._epoch, "", None)
            return
        texts = self.model.frame[column]
        epoch = self._epoch
        if self.search_runner is None or texts.len() <= SEARCH_AT_ONCE:
            self._show_matches(epoch, needle, text_matches(texts, needle))
        else:
            self._show_count()
            work = partial(text_matches, texts, needle)
            self.search_runner(work, lambda mask: self._show_matches(epoch, needle, mask))

    def _show_matches(self, epoch: int, needle: str, matches: NDArray[np.bool_] | None) -> None:
        if epoch != self._epoch or needle != self._needle():
            return  # another frame is shown, or the text changed while this search ran
        self._matches, self._matched = matches, needle
        self._apply_filter()

    def searching(self) -> bool:
        """Whether the search typed has not been applied yet (a pause or a job is awaited)."""
        return self._needle() != self._matched

    def finish_search(self) -> None:
        """Apply the search typed now, in the GUI thread, if it has not been (before reading
        :meth:`shown_row_ids`)."""
        needle = self._needle()
        if needle != self._matched and self.text_column is not None:
            self._search_timer.stop()
            self._show_matches(self._epoch, needle, text_matches(self.model.frame[self.text_column], needle))

    def shown_row_ids(self) -> NDArray[np.int64]:
        """``_row_id`` of every row the table shows (int64, in the table's order)."""
        return self.model.row_ids(np.arange(self.model.rowCount()))

    # -- filtering and the shared selection ---------------------------------------------------
    def _base_positions(self, chosen: NDArray[np.bool_]) -> NDArray[np.int64]:
        """Positions of the rows to show: those matching the search and, with *Show selection only*,
        in ``chosen`` (the shared selection as a mask), in frame order."""
        frame = self.model.frame
        mask = None
        if self._matches is not None and self._matches.size == frame.height:
            mask = self._matches
        if self.only_selected.isChecked() and len(self.selection):
            mask = chosen if mask is None else mask & chosen
        if mask is None:
            return np.arange(frame.height, dtype=np.int64)
        # the selection's ids are the positions (``_row_id`` is dense): no mask pass needed
        ids = self.selection.row_ids
        if mask is chosen and ids.size and ids[-1] < frame.height:
            return ids
        return np.flatnonzero(mask).astype(np.int64)

    def _chosen(self) -> NDArray[np.bool_]:
        """bool (frame height,): the shared selection's rows (``_row_id`` is the row's position)."""
        chosen = np.zeros(self.model.frame.height, dtype=bool)
        ids = self.selection.row_ids
        chosen[ids[ids < chosen.size]] = True
        return chosen

    def _apply_filter(self, *_: object) -> None:
        chosen = self._chosen()
        self.model.set_row_map(self._base_positions(chosen))
        self.model.set_marked(chosen)
        self._show_count()

    def _show_count(self) -> None:
        text = f"{self.model.rowCount():,} of {self.model.frame.height:,} rows"
        self.count.setText(text + (" · searching…" if self.searching() else ""))

    def selected_view_rows(self) -> list[int]:
        """View rows of the shared selection (marked in the table), in the table's order."""
        return np.flatnonzero(self.model.marked[self.model.row_map]).tolist()

    def _ids(self, ranges: QItemSelection) -> NDArray[np.int64]:
        """``_row_id`` of the view rows in Qt selection ``ranges``, read range by range (a
        Shift-click can span 100,000 rows)."""
        spans = [np.arange(r.top(), r.bottom() + 1) for r in ranges]
        return self.model.row_ids(np.unique(np.concatenate(spans)) if spans else np.zeros(0, np.int64))

    def _on_user_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        """The table's own pick (a click, Shift-click, keys) replaces the shared selection; a Ctrl-click
        adds to it or takes from it, whichever view made it."""
        if self._syncing:
            return
        if QApplication.keyboardModifiers() & Qt.KeyboardModifier.ControlModifier:
            ids = np.setdiff1d(np.union1d(self.selection.row_ids, self._ids(selected)), self._ids(deselected))
        else:
            ids = self._ids(self.view.selectionModel().selection())
        self.selection.set(ids, source=self)

    def _on_selection(self, row_ids: NDArray[np.int64], source: object) -> None:
        if source is self:  # the table's own pick: mark it, keep the rows shown
            self.model.set_marked(self._chosen())
            return
        self._syncing = True
        try:  # a pick made elsewhere replaces the table's own
            self.view.selectionModel().clearSelection()
        finally:
            self._syncing = False
        if self.only_selected.isChecked():
            self._apply_filter()
        else:
            self.model.set_marked(self._chosen())
