"""The rows table's column widths on the sample project: the text gets the room, ids and numbers narrow."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame, load_view_frame
from storage.project import Project
from widgets.table_columns import NUMBER_MAX, STRING_MAX, TEXT_MIN
from widgets.table_view import TableView


@pytest.fixture(scope="module")
def frame(sample_project_master: Path) -> ViewFrame:
    with Project.open(sample_project_master) as project:
        return load_view_frame(project, 1)


@pytest.fixture
def table(qtbot, frame: ViewFrame) -> TableView:  # type: ignore[no-untyped-def]
    view = TableView(SelectionModel())
    qtbot.addWidget(view)
    # the sample's 12 columns (two clusterings, the text's tokens) fit side by side at 1,400 px
    view.resize(1400, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_frame(frame.rows, frame.text_column)
    return view


def widths(table: TableView) -> dict[str, int]:
    return {name: table.column_width(name) for name in table.model.columns}


def test_the_text_column_gets_the_room_and_ids_are_narrow(table: TableView) -> None:
    shown = widths(table)
    assert table.view.viewport().width() >= 1200
    assert max(shown, key=shown.__getitem__) == "text", shown
    assert shown["_row_id"] < 90
    for name in ("confidence", "margin", "loss", "correct", "cluster"):
        assert shown[name] <= NUMBER_MAX, (name, shown)
    # Labels are medium: wider than the row id, narrower than the text.
    assert shown["_row_id"] < shown["label"] <= STRING_MAX and shown["label"] < shown["text"]
    # Everything fits side by side: no sideways scrolling at 1,400 px.
    assert sum(shown.values()) <= table.view.viewport().width()


def test_the_text_column_follows_the_window_until_resized_by_hand(qtbot, table: TableView) -> None:  # type: ignore[no-untyped-def]
    before = widths(table)
    table.resize(1800, 600)
    qtbot.waitUntil(lambda: table.view.viewport().width() > 1700)
    wider = widths(table)
    # The labels get back what they gave up at 1,400 px; the text column takes all the rest.
    assert wider["_row_id"] == before["_row_id"] and wider["label"] > before["label"]
    assert wider["text"] > before["text"] + 200
    assert sum(wider.values()) == table.view.viewport().width()

    # Drag the text column's right edge 100 px to the left, as a person would.
    header = table.view.horizontalHeader()
    index = table.model.columns.index("text")
    edge = header.sectionViewportPosition(index) + header.sectionSize(index) - 1
    y = header.height() // 2
    QTest.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge, y))
    QTest.mouseMove(header.viewport(), QPoint(edge - 100, y))
    QTest.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge - 100, y))
    chosen = table.column_width("text")
    assert abs(chosen - (wider["text"] - 100)) <= 2
    table.resize(1400, 600)
    qtbot.waitUntil(lambda: table.view.viewport().width() < 1400)
    assert table.column_width("text") == chosen  # the person's width is kept


def test_a_narrow_table_keeps_a_readable_text_column(qtbot, table: TableView) -> None:  # type: ignore[no-untyped-def]
    table.resize(700, 600)
    qtbot.waitUntil(lambda: table.view.viewport().width() < 700)
    shown = widths(table)
    assert shown["text"] >= TEXT_MIN and max(shown, key=shown.__getitem__) == "text"
    assert table.view.horizontalScrollBar().maximum() > 0  # the rest scrolls sideways
