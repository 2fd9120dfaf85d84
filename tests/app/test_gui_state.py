"""Views stay true: every view follows the workspace state's events, driven the way a person works
(mouse and keys on the sample project)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from app.main_window import MainWindow
from storage.project import Project
from storage.reviews import read_decisions
from storage.versions import resolve_version


def drag_rectangle(window: MainWindow, fraction: float = 0.25) -> None:
    """A rectangle drag over the middle of the map with the Rectangle tool (R)."""
    view = window.map_view
    QTest.keyClick(view, Qt.Key.Key_R)
    plot = view.plot
    centre = plot.rect().center()
    half = QPoint(int(plot.width() * fraction / 2), int(plot.height() * fraction / 2))
    QTest.mousePress(plot.viewport(), Qt.MouseButton.LeftButton, pos=centre - half)
    QTest.mouseMove(plot.viewport(), centre)
    QTest.mouseMove(plot.viewport(), centre + half)
    QTest.mouseRelease(plot.viewport(), Qt.MouseButton.LeftButton, pos=centre + half)


def test_a_new_tag_appears_in_colour_by_and_the_filter_builder(
    window: MainWindow, sample_project: Path
) -> None:
    window.open_project(sample_project)
    window.curation.create("needs_review", "#1f77b4", "to look at", "failure_mode")
    drag_rectangle(window)
    chosen = len(window.selection)
    assert chosen > 0
    QTest.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)  # Tag selection
    view = window.map_view
    assert view.colour_box.findData("tag:needs_review") >= 0
    columns = [window.slicing.panel.column.itemText(i) for i in range(window.slicing.panel.column.count())]
    assert "tag_needs_review" in columns
    assert "Tagged" in window.job_label.text()
    # filtering on the new tag works without reopening
    window.slicing.select_where("tag_needs_review")
    assert len(window.selection) == chosen
    # colouring by it draws its rows above the rest
    view.set_colour_mode("tag:needs_review")
    assert view.emphasis.zValue() > view.points.zValue()
    assert len(view.emphasis.data) == chosen


def test_switching_dataset_clears_drift_and_diff(
    window: MainWindow, sample_project: Path, banking_small
) -> None:  # type: ignore[no-untyped-def]
    with Project.open(sample_project) as project:
        sample_version = resolve_version(project)
        other = import_dataset(
            project, banking_small, RoleMapping(id="id", text="text", label="category"), name="small"
        ).version_id
    window.open_project(sample_project)
    window.show_version(sample_version)
    versions = window.versions
    versions.compare(sample_version, sample_version)
    assert versions.diff_view.diff is not None
    versions.drift(sample_version, "", sample_version, "", False, "")
    assert versions.drift_view.result is not None
    window.show_version(other)
    assert window.frame.version_id == other
    assert versions.diff_view.diff is None and versions.drift_view.result is None
    assert window.map_view.status.text().startswith("no map yet")
    assert "small:1" in window.job_label.text()


def test_review_decisions_by_key_are_kept_after_a_rerun(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    QTest.keyClick(
        window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    review = window.curation.review
    assert window.work_tabs.currentWidget().widget() is review  # the Review tab, in its scroll area
    kept = review.queue.current.row_id
    QTest.keyClick(review, Qt.Key.Key_K)
    accepted = review.queue.current
    QTest.keyClick(review, Qt.Key.Key_A)
    assert "2 of" in review.progress.text()
    stored = read_decisions(window.project, window.version_id, "label_issue")
    assert stored[kept] == ("keep", None) and stored[accepted.row_id][0] == "accept"
    # the queue built again (as after a rerun of the tags) leaves them out and keeps the correction
    window.curation.review_tag("label_issue")
    rows = [i.row_id for i in review.queue.items]
    assert kept not in rows and accepted.row_id not in rows
    assert review.save.isEnabled()
    QTest.mouseClick(review.save, Qt.MouseButton.LeftButton)
    # the new version is shown with the same map, not an empty one
    assert window.frame.label_column == "label_corrected"
    assert window.frame.coords is not None and window.map_view.visible_count == 3080
    assert "Saved 1 correction" in window.job_label.text()


def test_export_from_the_selection_context_and_ctrl_e(
    window: MainWindow, sample_project: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window.open_project(sample_project)
    drag_rectangle(window)
    count = len(window.selection)
    asked = []
    monkeypatch.setattr(
        window.slicing,
        "export",
        lambda where, row_keys=None, description=None: asked.append((where, row_keys)),
    )
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked and len(asked[0][1]) == count
    window.map_view._context_menu(window.map_view.mapToGlobal(QPoint(10, 10)))
    menu = window.map_view._menu
    export = next(a for a in menu.actions() if a.text().startswith("Export"))
    assert f"{count:,} selected" in export.text() and export.isEnabled()
    export.trigger()
    menu.close()
    assert len(asked) == 2 and asked[1][1] == asked[0][1]
    keys = window.frame.rows["_row_key"].gather(np.asarray(window.selection.row_ids)).to_list()
    assert sorted(asked[0][1]) == sorted(keys)


def test_a_lasso_drawn_with_the_mouse_selects_the_points_inside(
    window: MainWindow, sample_project: Path
) -> None:
    window.open_project(sample_project)
    view = window.map_view
    QTest.keyClick(view, Qt.Key.Key_L)
    assert view.viewbox.mode == "lasso"
    viewport = view.plot.viewport()
    centre = view.plot.rect().center()
    radius = min(view.plot.width(), view.plot.height()) * 0.2
    ring = [
        centre + QPoint(int(radius * np.cos(a)), int(radius * np.sin(a)))
        for a in np.linspace(0, 2 * np.pi, 24, endpoint=False)
    ]
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=ring[0])
    for point in ring[1:]:
        QTest.qWait(15)  # pyqtgraph drops moves closer than 10 ms apart, as a hand never makes them
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=ring[-1])
    # the points whose screen position lies inside the drawn ring
    scene = [view.plot.mapToScene(p) for p in ring]
    polygon = np.array(
        [[view.viewbox.mapSceneToView(s).x(), view.viewbox.mapSceneToView(s).y()] for s in scene]
    )
    from analysis.map.geometry import points_in_polygon

    expected = np.flatnonzero(points_in_polygon(view.coords, polygon))
    assert expected.size > 20
    assert np.array_equal(window.selection.row_ids, expected)
    assert f"{expected.size:,} selected" in view.status.text()
