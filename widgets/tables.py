"""Read-only table widgets and their cells, shared by the panels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem


def readonly_table(headers: list[str], stretch_all: bool = False, min_height: int = 0) -> QTableWidget:
    """A row-selecting, non-editable table: the first column (or every column) stretches, the others fit."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(22)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    if stretch_all:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    else:
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(headers)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    if min_height:
        table.setMinimumHeight(min_height)
    return table


def append_row(table: QTableWidget, values: list[str]) -> list[QTableWidgetItem]:
    """Append a row of text cells (each with its full text as tooltip); returns the items."""
    row = table.rowCount()
    table.insertRow(row)
    items = []
    for column, value in enumerate(values):
        item = QTableWidgetItem(value)
        item.setToolTip(value)
        table.setItem(row, column, item)
        items.append(item)
    return items


def fitted_table(headers: list[str], single_selection: bool = False) -> QTableWidget:
    """A row-selecting, non-editable table whose columns fit their contents, the last one stretching.

    Parameters
    ----------
    headers : list of str
        Column titles.
    single_selection : bool
        One row at a time (a list whose rows open one thing each); otherwise Qt's default
        extended selection.
    """
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single_selection:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


def value_item(text: str, value: float | int | None = None, tip: str = "") -> QTableWidgetItem:
    """A text cell carrying a number under ``Qt.ItemDataRole.UserRole`` (a row id to emit, or what to
    sort by instead of the text) and an optional tooltip."""
    item = QTableWidgetItem(text)
    if value is not None:
        item.setData(Qt.ItemDataRole.UserRole, value)
    if tip:
        item.setToolTip(tip)
    return item
