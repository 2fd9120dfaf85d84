"""The main window with pytest-qt (offscreen; any Qt warning fails the test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget
from sqlalchemy import func, select

from analysis.ingest.roles import RoleMapping
from analysis.map.geometry import points_in_polygon
from app.main_window import MainWindow
from resources import SAMPLE_DATA, SAMPLE_OUTPUTS
from storage.project import Project
from storage.schema import StageResult
from widgets.import_dialog import ImportDialog, ImportRequest


def test_sample_opens_with_3080_points(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    assert window.frame is not None and window.frame.rows.height == 3080
    assert window.map_view.visible_count == 3080
    assert len(window.map_view.points.data) == 3080
    assert window.map_view.colour_mode() == "cluster"
    assert window.table_view.model.rowCount() == 3080
    assert window.clusters_view.items.rowCount() == len(window.frame.clusters) > 30
    assert window.windowTitle() == "Strata — sample.strata"


def test_selecting_a_cluster_selects_the_same_rows_everywhere(
    window: MainWindow, sample_project: Path
) -> None:
    window.open_project(sample_project)
    view = window.clusters_view.view
    view.selectRow(0)  # the largest cluster, as a click would
    label = int(
        window.clusters_view.proxy.index(0, 0).data(
            window.clusters_view.items.item(0, 0).data.__self__ and 257
        )
    )
    members = np.flatnonzero(window.frame.rows["cluster"].to_numpy() == label)
    assert np.array_equal(window.selection.row_ids, members)
    table = window.table_view
    assert table.model.rowCount() == members.size  # "show selection only"
    assert np.array_equal(np.sort(table.model.row_ids(table.selected_view_rows())), members)
    assert int(window.map_view.highlight.data.size) == members.size


def test_lasso_and_table_selection_are_linked(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    coords = window.map_view.coords
    centre = np.median(coords, axis=0)
    angles = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    lasso = centre + 2.0 * np.c_[np.cos(angles), np.sin(angles)]
    window.map_view.select_polygon(lasso)
    expected = np.flatnonzero(points_in_polygon(coords, lasso))
    assert expected.size > 10
    assert np.array_equal(window.selection.row_ids, expected)
    assert window.table_view.model.rowCount() == expected.size
    # now the other way: rows picked in the table select points on the map
    window.table_view.only_selected.setChecked(False)
    # a plain click (no modifier: Qt keeps the last input event's modifiers, which another test may
    # have left at Ctrl) on row 5
    table = window.table_view.view
    table.scrollToTop()
    cell = table.visualRect(window.table_view.model.index(5, 1)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, cell)
    assert window.selection.row_ids.tolist() == [int(window.table_view.model.row_ids([5])[0])]
    assert window.map_view.highlight.data.size == 1


def test_table_sorts_and_searches(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    table = window.table_view
    table.search.setText("refund")
    texts = [
        table.model.data(table.model.index(r, table.model.columns.index("text")))
        for r in range(table.model.rowCount())
    ]
    assert texts and all("refund" in t.lower() for t in texts)
    expected = window.frame.rows["text"].str.to_lowercase().str.contains("refund", literal=True).sum()
    assert table.model.rowCount() == expected
    column = table.model.columns.index("confidence")
    table.model.sort(column)
    values = [float(table.model.data(table.model.index(r, column))) for r in range(table.model.rowCount())]
    assert values == sorted(values)


def test_colour_modes_and_legend(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    window.map_view.set_colour_mode("correct")
    assert window.map_view.legend.list.count() == 2
    assert "misclassified  (327)" in window.map_view.legend.list.item(1).text()
    window.map_view.set_colour_mode("label")
    assert window.map_view.legend.list.count() == 77  # every intent in its own colour
    window.map_view.legend.list.itemClicked.emit(window.map_view.legend.list.item(0))
    first = window.map_view.legend.entries[0]
    assert len(window.selection) == first.count


def test_import_then_cancelled_pipeline_leaves_no_partial_result(
    qtbot, tmp_path: Path, banking_small: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, sync_jobs=False)
    qtbot.addWidget(win)
    win.new_project(tmp_path / "fresh.strata")
    request = ImportRequest(
        banking_small, RoleMapping(id="id", text="text", label="category"), "small", "utf-8", None, None
    )
    win.import_file(request)
    qtbot.waitUntil(lambda: not win.jobs.busy and win.frame is not None, timeout=30_000)
    assert win.frame.rows.height == 600 and win.frame.coords is None
    assert "no map yet" in win.map_view.status.text()
    with qtbot.waitSignal(win.jobs.progressed, timeout=60_000, check_params_cb=lambda g, d, t, m: d > 0):
        win.run_pipeline()
    win.cancel_button.click()
    qtbot.waitUntil(lambda: not win.jobs.busy, timeout=60_000)
    assert "Cancelled" in win.job_label.text()
    win.jobs.wait()
    with Project.open(tmp_path / "fresh.strata") as project, project.session() as s:
        assert s.scalar(select(func.count()).select_from(StageResult)) == 0
    assert win.frame.coords is None


def test_import_error_is_shown_and_project_kept(window: MainWindow, tmp_path: Path) -> None:
    window.new_project(tmp_path / "p.strata")
    bad = ImportRequest(SAMPLE_DATA, RoleMapping(text="no_such_column"), "bad", "utf-8", None, None)
    window.import_file(bad)
    assert "no_such_column" in window.last_error and "Failed" in window.job_label.text()
    good = ImportRequest(
        SAMPLE_DATA,
        RoleMapping(id="id", text="text", label="label", pred="predicted", proba_prefix="prob_"),
        "sample",
        "utf-8",
        SAMPLE_OUTPUTS,
        None,
    )
    window.import_file(good)
    assert window.frame is not None and window.frame.run_name == "model"
    assert window.project_panel.tree.topLevelItemCount() == 1


def test_import_dialog_previews_and_guesses_roles(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ImportDialog(SAMPLE_DATA)
    qtbot.addWidget(dialog)
    assert dialog.preview_model.rowCount() == 100
    request = dialog.request()
    assert (request.roles.id, request.roles.text, request.roles.label) == ("id", "text", "label")
    assert request.name == "banking77_test"


def test_window_screenshot_shows_the_map(window: MainWindow, sample_project: Path, tmp_path: Path) -> None:
    window.resize(1400, 900)
    window.open_project(sample_project)
    shot = tmp_path / "shot.png"
    assert window.map_view.plot.grab().save(str(shot))
    image = QImage(str(shot))
    pixels = np.array(
        [
            [image.pixelColor(x, y).getRgb()[:3] for x in range(0, image.width(), 4)]
            for y in range(0, image.height(), 4)
        ]
    )
    coloured = np.mean(np.ptp(pixels, axis=2) > 60)  # saturated pixels are points, not background
    assert 0.005 < coloured < 0.6


def test_recent_projects_and_window_state_are_kept(qtbot, tmp_path: Path, sample_project: Path) -> None:  # type: ignore[no-untyped-def]
    from app.settings import recent_projects

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    first = MainWindow(settings=settings, sync_jobs=True)
    qtbot.addWidget(first)
    first.show()
    first.open_project(sample_project)
    first.findChild(QDockWidget, "dock_clusters").hide()
    first.close()
    assert recent_projects(settings) == [str(sample_project.resolve())]
    assert settings.value("geometry") is not None
    second = MainWindow(settings=settings, sync_jobs=True)
    qtbot.addWidget(second)
    assert second.findChild(QDockWidget, "dock_clusters").isHidden()
    assert not second.findChild(QDockWidget, "dock_project").isHidden()
    assert [a.text() for a in second.recent_menu.actions()] == [str(sample_project.resolve())]


class FakeDrag:
    """The parts of pyqtgraph's MouseDragEvent the map's selection uses."""

    def __init__(self, start: object, here: object, phase: str) -> None:
        self._start, self._here, self.phase = start, here, phase

    def button(self):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt

        return Qt.MouseButton.LeftButton

    def buttonDownPos(self):  # type: ignore[no-untyped-def]
        return self._start

    def pos(self):  # type: ignore[no-untyped-def]
        return self._here

    def isStart(self) -> bool:
        return self.phase == "start"

    def isFinish(self) -> bool:
        return self.phase == "finish"

    def modifiers(self):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt

        return Qt.KeyboardModifier.NoModifier

    def accept(self) -> None:
        pass


def test_rectangle_drag_selects_points_and_hover_describes_them(
    window: MainWindow, sample_project: Path
) -> None:
    window.open_project(sample_project)
    view = window.map_view
    view.set_select_mode("rect")
    vb = view.viewbox
    (x0, x1), (y0, y1) = vb.viewRange()
    a = vb.mapFromView(pg_point(x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0)))
    b = vb.mapFromView(pg_point(x0 + 0.6 * (x1 - x0), y0 + 0.6 * (y1 - y0)))
    for phase, here in (("start", a), ("move", b), ("finish", b)):
        vb.mouseDragEvent(FakeDrag(a, here, phase))
    lo = np.minimum([vb.mapToView(a).x(), vb.mapToView(a).y()], [vb.mapToView(b).x(), vb.mapToView(b).y()])
    hi = np.maximum([vb.mapToView(a).x(), vb.mapToView(a).y()], [vb.mapToView(b).x(), vb.mapToView(b).y()])
    inside = np.flatnonzero(((view.coords >= lo) & (view.coords <= hi)).all(axis=1))
    assert inside.size > 0 and np.array_equal(window.selection.row_ids, inside)
    text = window.frame.describe_row(int(inside[0]))
    row = window.frame.rows.row(int(inside[0]), named=True)
    assert (
        row["text"][:50] in text
        and f"label: {row['label']}" in text
        and f"predicted: {row['predicted']}" in text
    )


def pg_point(x: float, y: float):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def test_the_window_fits_a_laptop_screen(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768, hint
