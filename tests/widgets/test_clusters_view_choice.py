"""The clusters list switches between the map's HDBSCAN clusters and the vectors' spherical k-means
clusters with a real click on its combo box, on the sample's two clusterings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit

from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame, load_view_frame
from storage.project import Project
from widgets.clusters_view import LABEL_ROLE, ClustersView


@pytest.fixture(scope="module")
def frame(sample_project_master: Path) -> ViewFrame:
    with Project.open(sample_project_master) as project:
        return load_view_frame(project, 1)


@pytest.fixture
def view(qtbot, frame: ViewFrame) -> ClustersView:  # type: ignore[no-untyped-def]
    widget = ClustersView(SelectionModel())
    qtbot.addWidget(widget)
    widget.resize(480, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_frame(frame)
    return widget


def listed(view: ClustersView) -> list[str]:
    return [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())]


def choose(qtbot, view: ClustersView, row: int) -> None:  # type: ignore[no-untyped-def]
    """Click the combo box, then the entry in ``row`` of its pop-up list."""
    QTest.mouseClick(view.choice, Qt.MouseButton.LeftButton)
    popup = view.choice.view()
    qtbot.waitUntil(popup.isVisible)
    # Qt's pop-up ignores a release within a double-click interval of opening (a press-drag-release
    # on the combo itself): a person's second click comes later.
    qtbot.wait(QApplication.doubleClickInterval() + 50)
    index = popup.model().index(row, 0)
    QTest.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=popup.visualRect(index).center())
    qtbot.waitUntil(lambda: not popup.isVisible())


def test_clicking_the_combo_lists_the_other_clustering(qtbot, view: ClustersView, frame: ViewFrame) -> None:  # type: ignore[no-untyped-def]
    assert view.choice.isVisible() and view.choice.count() == 2
    assert view.stage == "cluster" and sorted(listed(view)) == sorted(c.name for c in frame.clusters)
    with qtbot.waitSignal(view.clusteringChanged, timeout=2000) as changed:
        choose(qtbot, view, 1)
    assert changed.args == ["cluster_sphere"] and view.stage == "cluster_sphere"
    assert listed(view) == [c.name for c in frame.sphere_clusters]  # largest first
    assert "every row in a cluster" in view.note.text()
    # Clicking a cluster selects its rows, by the chosen clustering's column.
    index = view.proxy.index(1, 0)
    QTest.mouseClick(
        view.view.viewport(), Qt.MouseButton.LeftButton, pos=view.view.visualRect(index).center()
    )
    label = int(index.data(LABEL_ROLE))
    members = np.flatnonzero(frame.rows["cluster_sphere"].to_numpy() == label)
    assert np.array_equal(np.sort(view.selection.row_ids), members)
    # A new frame keeps the choice; choosing the map's clustering again lists HDBSCAN's clusters.
    view.show_frame(frame)
    assert view.stage == "cluster_sphere" and len(listed(view)) == len(frame.sphere_clusters)
    choose(qtbot, view, 0)
    assert view.stage == "cluster" and len(listed(view)) == len(frame.clusters)


def test_sphere_names_are_editable_once_the_window_stores_them(qtbot, view: ClustersView) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, view, 1)
    # Until the receiver stores names in the clustering shown, F2 opens no editor there.
    assert view.view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    view.renamable.add("cluster_sphere")
    view.choose_clustering("cluster")
    view.choose_clustering("cluster_sphere")
    index = view.proxy.index(0, 0)
    view.view.setCurrentIndex(index)
    view.view.setFocus()
    QTest.keyClick(view.view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    QTest.keyClicks(QApplication.focusWidget(), "Card worries")
    with qtbot.waitSignal(view.renameRequested, timeout=2000) as emitted:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert emitted.args == [int(index.data(LABEL_ROLE)), "Card worries"] and view.stage == "cluster_sphere"


def test_one_clustering_shows_no_choice(qtbot, view: ClustersView, frame: ViewFrame) -> None:  # type: ignore[no-untyped-def]
    view.set_clusters(frame.clusters, frame.rows["cluster"], True)
    assert not view.choice.isVisible() and view.stage == "cluster"
    view.show_frame(None)
    assert not view.choice.isVisible() and listed(view) == []
    assert view.note.text().startswith("No clusters yet")
