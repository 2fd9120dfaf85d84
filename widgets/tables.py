"""Read-only table widgets shared by the panels."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem


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
