"""Cluster names in the window on the sample project: the clusters list asks for a rename with real
mouse and key events, and a stored name shows in the list, the map legend and the hover text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from app.main_window import MainWindow
from storage.cluster_names import rename_cluster
from widgets.clusters_view import LABEL_ROLE


@pytest.fixture
def window(window: MainWindow, sample_project: Path) -> MainWindow:
    """The main window on a copy of the sample project."""
    window.open_project(sample_project)
    return window


def test_double_clicking_a_cluster_name_asks_to_rename_it(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view = window.clusters_view
    index = view.proxy.index(0, 0)
    label = int(index.data(LABEL_ROLE))
    view.view.scrollTo(index)
    centre = view.view.visualRect(index).center()
    # A person's double-click: press and release, then the second press (QTest's DClick alone is
    # only that second press, which an item view takes for a plain press).
    QTest.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    QTest.mouseDClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    QTest.keyClicks(editor, "Exchange rates")
    with qtbot.waitSignal(view.renameRequested, timeout=2000) as emitted:
        QTest.keyClick(editor, Qt.Key.Key_Return)
    assert emitted.args == [label, "Exchange rates"]
    # the window stores it and every view shows it; Ctrl+Z gives the old name back
    assert not window.last_error, window.last_error
    old = next(c.auto_name for c in window.frame.clusters if c.label == label)
    assert next(c.name for c in window.frame.clusters if c.label == label) == "Exchange rates"
    assert "Exchange rates" in [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())]
    QTest.keySequence(window, QKeySequence(QKeySequence.StandardKey.Undo))
    assert next(c.name for c in window.frame.clusters if c.label == label) == old
    QTest.keySequence(window, QKeySequence(QKeySequence.StandardKey.Redo))
    assert next(c.name for c in window.frame.clusters if c.label == label) == "Exchange rates"


def test_a_stored_name_shows_in_the_list_legend_and_hover_text(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    frame = window.frame
    largest = max(frame.clusters, key=lambda c: c.size)
    rename_cluster(window.project, frame.version_id, largest.label, "Exchange rates")
    window.show_version(frame.version_id)
    qtbot.waitUntil(lambda: window.frame is not None and window.frame is not frame)
    frame = window.frame
    names = [
        window.clusters_view.proxy.index(r, 0).data() for r in range(window.clusters_view.proxy.rowCount())
    ]
    assert "Exchange rates" in names and largest.auto_name not in names
    window.map_view.set_colour_mode("cluster")
    legend = [window.map_view.legend.list.item(i).text() for i in range(window.map_view.legend.list.count())]
    assert any(text.startswith("Exchange rates") for text in legend), legend
    row = int(np.flatnonzero(frame.rows["cluster"].to_numpy() == largest.label)[0])
    assert "cluster: Exchange rates" in frame.describe_row(row)
