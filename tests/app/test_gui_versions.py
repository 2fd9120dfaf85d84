"""Version diff and drift views in the window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.versions.relabel import create_corrected_version
from app.main_window import MainWindow
from storage.project import Project
from storage.runs import read_predictions
from storage.versions import read_rows
from widgets.drift_view import EMPTY_NOTE


def test_diff_view_shows_a_review_and_selects_rows(window: MainWindow, sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        predicted = read_predictions(project, 1)["predicted"].to_list()
        labels = read_rows(project, 1, ["label"])["label"].to_list()
        wrong = [i for i, (g, p) in enumerate(zip(labels, predicted, strict=True)) if g != p][:12]
        create_corrected_version(project, 1, {i: predicted[i] for i in wrong})
    window.open_project(sample_project)
    view = window.versions.diff_view
    assert (
        view.from_box.currentText() == "banking77-test:1" and view.to_box.currentText() == "banking77-test:2"
    )
    view.compareRequested.emit(view.from_box.currentData(), view.to_box.currentData())
    assert "12 wrong→right" in view.summary.text() and "label_corrected" in view.summary.text()
    pairs = view.diff.label_pairs
    assert pairs is not None and pairs.total == 12 and view.tabs.tabText(0) == "Label changes (12)"
    model = view.changes.model
    assert sum(int(model.index(r, 2).data()) for r in range(model.rowCount())) == 12
    first = model.items[0]
    old, new = pairs.classes[first.first], pairs.classes[first.second]
    view.changes.choose(first.first, first.second)  # as a click on the first label change does
    chosen = window.selection.row_ids.tolist()
    assert len(chosen) == first.count and all(labels[i] == old and predicted[i] == new for i in chosen)
    view.kind.setCurrentText("added rows")
    assert view.rows.rowCount() == 0 and view.keys() == []
    window.versions.select_keys([window.frame.rows["_row_key"][i] for i in wrong])
    assert window.selection.row_ids.tolist() == wrong


def test_drift_view_on_airline_time_windows(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "air.strata"
    with Project.create(path) as project:
        roles = RoleMapping(
            label="airline_sentiment", time="tweet_created", group="airline", time_format="%d-%m-%Y %H.%M"
        )
        import_dataset(project, data_dir / "airline_tweets" / "Tweets.csv", roles)
    window.open_project(path)
    view = window.versions.drift_view
    qtbot.keyClicks(view.ref_where, "EXTRACT(day FROM tweet_created) BETWEEN 17 AND 19")
    qtbot.keyClicks(view.cur_where, "EXTRACT(day FROM tweet_created) BETWEEN 22 AND 24")
    view.run_button.click()
    verdicts = {
        view.table.item(r, 0).text(): view.table.item(r, 1).text() for r in range(view.table.rowCount())
    }
    assert verdicts["airline_sentiment"] == "significant shift" and verdicts["airline"] == "drift"
    assert view.result is not None and view.charts is not None
    assert (view.result.reference_rows, view.result.current_rows) == (4128, 7451)
    assert "Reference 4,128 rows, current 7,451 rows" in view.note.text()
    assert len(view.timeline.getPlotItem().items) == 1
    assert np.isfinite([d.psi for d in view.result.columns]).all()
    # clicking a column draws its two distributions (the charts page comes to the front)
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == "airline")
    view.pages.setCurrentIndex(1)
    rect = view.table.visualItemRect(view.table.item(row, 0))
    QTest.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.pages.currentIndex() == 0 and "airline:" in view.chart.getPlotItem().titleLabel.text
    bars = [i for i in view.chart.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    assert len(bars) == 2 and view.charts.distributions["airline"].levels[0] == "United"
    # no model run: no per-class lines; no map: no clusters, no map button
    assert view.class_box.count() == 0 and view.class_panel.isHidden() and view.pages.isTabEnabled(1)
    assert not view.map_button.isEnabled()
    assert view.result.timeline is not None and view.result.timeline.height == 6  # automatic: a day each
    view.bucket.setCurrentText("6 hours")
    QTest.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert view.result.timeline is not None and view.result.timeline.height > 12


def test_drift_between_slices_drawn_on_the_map(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    view = window.versions.drift_view
    view.ref_where.setText("confidence >= 0.5")
    view.cur_where.setText("confidence < 0.5")
    view.run_button.click()
    result = view.result
    assert result is not None and result.clusters and view.map_button.isEnabled()
    unsure = int((window.frame.rows["confidence"] < 0.5).sum())
    assert (result.reference_rows, result.current_rows) == (3080 - unsure, unsure)
    # cluster shares: ten clusters drawn, each with reference and current bars and intervals
    assert len(view.clusters.getPlotItem().items) == 4
    view.map_button.click()
    map_view = window.map_view
    assert map_view.colour_mode() == "drift"
    counts = {e.name: e.count for e in map_view.legend.entries}
    assert counts == {"reference only": 3080 - unsure, "current only": unsure, "both": 0, "neither": 0}
    assert map_view.overlay.image is not None and map_view.overlay.image.shape == (96, 96, 4)
    # a legend click selects that side's rows
    map_view.legend.list.itemClicked.emit(map_view.legend.list.item(1))
    assert len(window.selection) == unsure
    map_view.set_colour_mode("cluster")
    assert map_view.overlay.image is None
    # a bad filter says what is wrong and keeps the last report
    view.cur_where.setText("confidence <")
    view.run_button.click()
    assert "cannot be used" in window.last_error and "Columns:" in window.last_error
    assert view.result is result
    view.cur_where.setText("confidence > 2")
    view.run_button.click()
    assert "0 rows in the current side where confidence > 2" in window.last_error


def _another_dataset(project: Project, tmp_path: Path, data_dir: Path) -> int:
    """300 questions of BANKING77's training split as a dataset of their own."""
    path = tmp_path / "train-300.csv"
    pl.read_csv(data_dir / "banking77" / "train.csv").head(300).write_csv(path)
    roles = RoleMapping(text="text", label="category")
    return import_dataset(project, path, roles, name="banking77-train").version_id


def _assert_nothing_shown(window: MainWindow) -> None:
    drift, diff = window.versions.drift_view, window.versions.diff_view
    assert drift.result is None and drift.charts is None and window.versions.overlay is None
    assert drift.table.rowCount() == 0 and drift.note.text() == EMPTY_NOTE
    assert drift.class_box.count() == 0 and not drift.map_button.isEnabled()
    assert all(
        not plot.getPlotItem().items
        for plot in (drift.chart, drift.clusters, drift.timeline, drift.per_class)
    )
    assert diff.diff is None and "wrong→right" not in diff.summary.text()
    assert diff.changes.pairs is None and diff.changes.model.rowCount() == diff.rows.rowCount() == 0


def test_switching_dataset_clears_the_drift_and_diff_views(
    window: MainWindow, qtbot: QtBot, sample_project: Path, tmp_path: Path, data_dir: Path
) -> None:
    with Project.open(sample_project) as project:
        predicted = read_predictions(project, 1)["predicted"].to_list()
        labels = read_rows(project, 1, ["label"])["label"].to_list()
        wrong = [i for i, (g, p) in enumerate(zip(labels, predicted, strict=True)) if g != p][:12]
        v2 = create_corrected_version(project, 1, {i: predicted[i] for i in wrong})
        other = _another_dataset(project, tmp_path, data_dir)
    window.open_project(sample_project)
    window.show_version(1)
    drift, diff = window.versions.drift_view, window.versions.diff_view
    qtbot.keyClicks(drift.ref_where, "confidence >= 0.5")
    qtbot.keyClicks(drift.cur_where, "confidence < 0.5")
    QTest.mouseClick(drift.run_button, Qt.MouseButton.LeftButton)
    assert drift.table.rowCount() > 0 and drift.map_button.isEnabled()
    diff.from_box.setCurrentIndex(diff.from_box.findData(1))
    diff.to_box.setCurrentIndex(diff.to_box.findData(v2))
    compare = next(b for b in diff.findChildren(QPushButton) if b.text() == "Compare")
    QTest.mouseClick(compare, Qt.MouseButton.LeftButton)
    assert "12 wrong→right" in diff.summary.text() and diff.changes.model.rowCount() > 0
    # another version of the same dataset: the reports stay (they name the versions they compare)
    window.show_version(v2)
    assert drift.result is not None and diff.diff is not None
    # another dataset: nothing of the old one stays on screen
    window.show_version(other)
    assert window.frame is not None and window.frame.version_id == other
    _assert_nothing_shown(window)
    assert drift.ref_version.currentData() == other and diff.to_box.currentData() == other
    # and back: the old reports do not come back either
    window.show_version(1)
    _assert_nothing_shown(window)


def test_drift_and_diff_run_off_the_gui_thread_and_a_cleared_report_is_dropped(
    window: MainWindow, qtbot: QtBot, sample_project: Path
) -> None:
    from app.heartbeat import run_and_measure

    with Project.open(sample_project) as project:
        predicted = read_predictions(project, 1)["predicted"].to_list()
        labels = read_rows(project, 1, ["label"])["label"].to_list()
        relabelled = {i: predicted[i] for i in range(0, 3080, 10) if predicted[i] != labels[i]}
        v2 = create_corrected_version(project, 1, relabelled)
    window.open_project(sample_project)
    window.show_version(1)
    window.jobs.sync = False  # a real worker thread from here on
    drift, diff = window.versions.drift_view, window.versions.diff_view
    qtbot.keyClicks(drift.cur_where, "confidence < 0.5")
    # loading both sides, the tests, the charts and the map overlay: the event loop keeps beating
    seconds, stall = run_and_measure(
        lambda: QTest.mouseClick(drift.run_button, Qt.MouseButton.LeftButton),
        lambda: drift.result is not None,
    )
    assert stall < 200, f"drift: the GUI thread stalled {stall:.0f} ms of {seconds:.1f} s"
    diff.from_box.setCurrentIndex(diff.from_box.findData(1))
    diff.to_box.setCurrentIndex(diff.to_box.findData(v2))
    compare = next(b for b in diff.findChildren(QPushButton) if b.text() == "Compare")
    seconds, stall = run_and_measure(
        lambda: QTest.mouseClick(compare, Qt.MouseButton.LeftButton), lambda: diff.diff is not None
    )
    assert stall < 200, f"diff: the GUI thread stalled {stall:.0f} ms of {seconds:.1f} s"
    assert diff.diff is not None and diff.diff.changed == len(relabelled) > 0
    # a report still computing when the views are cleared does not come back
    with qtbot.waitSignal(window.jobs.ended, timeout=120_000) as ended:
        QTest.mouseClick(drift.run_button, Qt.MouseButton.LeftButton)
        window.versions.clear()  # what the window does when the user switches dataset
    assert ended.args == ["Drift report", True]
    _assert_nothing_shown(window)
