"""Pointing at the map as a person does: hover shows a row, click selects it, double-click opens it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip
from scipy.spatial import cKDTree

from app.main_window import MainWindow


def isolated_row(coords: np.ndarray) -> int:
    """The row farthest from its nearest neighbour: a point nothing else hides."""
    distance, _ = cKDTree(coords).query(coords, k=2)
    return int(np.argmax(distance[:, 1]))


def widget_pos(window: MainWindow, row: int) -> QPoint:
    x, y = window.map_view.coords[row]
    scene = window.map_view.viewbox.mapViewToScene(QPointF(float(x), float(y)))
    return window.map_view.plot.mapFromScene(scene)


def test_hover_click_and_double_click_a_point(window: MainWindow, sample_project: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.open_project(sample_project)
    window.resize(1366, 768)
    qtbot.wait(50)
    view = window.map_view
    row = isolated_row(view.coords)
    pos = widget_pos(window, row)
    viewport = view.plot.viewport()
    text = window.frame.rows[window.frame.text_column][row]

    QTest.mouseMove(viewport, pos)
    qtbot.waitUntil(lambda: text[:40] in QToolTip.text(), timeout=3000)
    assert "label: " in QToolTip.text() and "predicted: " in QToolTip.text()

    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    qtbot.waitUntil(lambda: window.selection.row_ids.tolist() == [row], timeout=3000)
    assert window.curation.inspector.row_id == row

    other = isolated_row(np.delete(view.coords, row, axis=0))
    other += int(other >= row)
    QTest.mouseClick(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, widget_pos(window, other)
    )
    qtbot.waitUntil(lambda: sorted(window.selection.row_ids.tolist()) == sorted([row, other]), timeout=3000)

    window.work_tabs.setCurrentIndex(1)
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    qtbot.waitUntil(lambda: window.work_tabs.currentWidget() is window.table_view, timeout=3000)


def test_a_tags_rows_are_drawn_above_the_others(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    view = window.map_view
    tagged = np.flatnonzero(window.frame.tag_mask("label_issue"))
    assert 0 < tagged.size < 100
    index = view.colour_box.findData("tag:label_issue")
    view.colour_box.setCurrentIndex(index)  # as the user picks it from "Colour by"
    drawn_on_top = np.column_stack(view.emphasis.getData())
    np.testing.assert_allclose(drawn_on_top, view.coords[tagged])
    assert view.points.getData()[0].size == len(view.coords) - tagged.size
    assert view.emphasis.zValue() > view.points.zValue()
    assert view.emphasis.opts["size"] > view.points.opts["size"] and view.emphasis.opts["pen"] is not None
    view.colour_box.setCurrentIndex(view.colour_box.findData("label"))
    assert view.emphasis.getData()[0].size == 0
