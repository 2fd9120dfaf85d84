"""Renaming a cluster in the clusters list, with real mouse and key events, on the sample's clusters."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from analysis.selection import SelectionModel
from storage.project import Project
from storage.stage_outputs import ClusterInfo, read_clusters
from widgets.clusters_view import LABEL_ROLE, ClustersView


@pytest.fixture(scope="module")
def clusters(sample_project_master: Path) -> tuple[list[ClusterInfo], np.ndarray]:
    with Project.open(sample_project_master) as project:
        found, labels = read_clusters(project, 1)
    assert labels is not None
    return found, labels


@pytest.fixture
def view(qtbot, clusters: tuple[list[ClusterInfo], np.ndarray]) -> ClustersView:  # type: ignore[no-untyped-def]
    found, labels = clusters
    widget = ClustersView(SelectionModel())
    qtbot.addWidget(widget)
    widget.resize(480, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_clusters(found, pl.Series("cluster", labels), True)
    return widget


def open_editor(qtbot, view: ClustersView, row: int) -> QLineEdit:  # type: ignore[no-untyped-def]
    """Double-click the name in ``row`` of the list and return the line edit that opens."""
    index = view.proxy.index(row, 0)
    view.view.scrollTo(index)
    centre = view.view.visualRect(index).center()
    QTest.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    QTest.mouseDClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    return editor


def test_double_click_type_and_enter_request_a_rename(qtbot, view: ClustersView) -> None:  # type: ignore[no-untyped-def]
    row = 3
    label = int(view.proxy.index(row, 0).data(LABEL_ROLE))
    shown = view.proxy.index(row, 0).data()
    editor = open_editor(qtbot, view, row)
    assert editor.text() == shown and editor.selectedText() == shown  # typing replaces the old name
    QTest.keyClicks(editor, "Card top-ups")
    with qtbot.waitSignal(view.renameRequested, timeout=2000) as emitted:
        QTest.keyClick(editor, Qt.Key.Key_Return)
    assert emitted.args == [label, "Card top-ups"]
    # The view asks; it does not rename by itself (the window stores the name, then shows it).
    assert view.proxy.index(row, 0).data() == shown
    # Clicking the cluster still selects its rows.
    members = np.flatnonzero(view.cluster_column.to_numpy() == label)
    assert np.array_equal(np.sort(view.selection.row_ids), members)


def test_escape_or_an_unchanged_name_requests_nothing(qtbot, view: ClustersView) -> None:  # type: ignore[no-untyped-def]
    with qtbot.assertNotEmitted(view.renameRequested, wait=200):
        editor = open_editor(qtbot, view, 0)
        QTest.keyClicks(editor, "never saved")
        QTest.keyClick(editor, Qt.Key.Key_Escape)
        editor = open_editor(qtbot, view, 1)
        QTest.keyClick(editor, Qt.Key.Key_Return)


def test_f2_renames_the_current_cluster_and_a_stored_name_is_shown(  # type: ignore[no-untyped-def]
    qtbot, view: ClustersView, clusters: tuple[list[ClusterInfo], np.ndarray]
) -> None:
    index = view.proxy.index(0, 0)
    label = int(index.data(LABEL_ROLE))
    view.view.setCurrentIndex(index)
    view.view.setFocus()
    QTest.keyClick(view.view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    QTest.keyClicks(editor, "  Exchange   rates ")
    with qtbot.waitSignal(view.renameRequested, timeout=2000) as emitted:
        QTest.keyClick(editor, Qt.Key.Key_Enter)
    assert emitted.args == [label, "  Exchange   rates "]  # as typed: storage normalises and checks

    # What the window does once the name is stored: the list shows it, the keywords stay in the tooltip.
    cluster = next(c for c in clusters[0] if c.label == label)
    view.set_cluster_name(dataclasses.replace(cluster, name="Exchange rates"))
    assert view.proxy.index(0, 0).data() == "Exchange rates"
    tip = view.proxy.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert cluster.keywords[0] in tip and f"Automatic name: {cluster.auto_name}" in tip


def test_reloading_renamed_clusters_keeps_the_picked_ones(  # type: ignore[no-untyped-def]
    qtbot, view: ClustersView, clusters: tuple[list[ClusterInfo], np.ndarray]
) -> None:
    found, labels = clusters
    index = view.proxy.index(2, 0)
    label = int(index.data(LABEL_ROLE))
    QTest.mouseClick(
        view.view.viewport(), Qt.MouseButton.LeftButton, pos=view.view.visualRect(index).center()
    )
    picked = view.selection.row_ids.copy()
    assert np.array_equal(np.sort(picked), np.flatnonzero(labels == label))
    seen: list[object] = []
    view.selection.subscribe(lambda ids, source: seen.append(source))
    renamed = [dataclasses.replace(c, name="Renamed") if c.label == label else c for c in found]
    view.set_clusters(renamed, pl.Series("cluster", labels), True)
    assert seen == []  # the shared selection is left alone
    rows = [i.row() for i in view.view.selectionModel().selectedRows()]
    assert [view.proxy.index(r, 0).data() for r in rows] == ["Renamed"]
    # Another version shown: the selection was cleared, so nothing stays picked.
    view.selection.clear(None)
    view.set_clusters(found, pl.Series("cluster", labels), True)
    assert view.view.selectionModel().selectedRows() == []
