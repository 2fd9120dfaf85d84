"""Slices in the window: build, save and read a slice, open a discovered slice, export a curated subset;
the panel fits a wide, short tab; new tags reach the builder; the work runs off the GUI thread."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QPushButton,
    QWidget,
)

from analysis.slices.filters import evaluate
from app.demo import EXAMPLE_SLICES
from app.heartbeat import Heartbeat
from app.main_window import MainWindow
from app.slicing import DISCOVER, SlicingController
from tests.widget_sizes import squeezed
from widgets.export_dialog import ExportDialog
from widgets.slice_panel import COMPARE_TAB, FOUND_TAB, SAVED_TAB, SlicePanel


def button(panel: QWidget, text: str) -> QPushButton:
    return next(b for b in panel.findChildren(QPushButton) if b.text() == text)


def open_slices(window: MainWindow, project: Path) -> SlicePanel:
    """Open ``project`` and bring the Slices tab of the work area to the front."""
    window.open_project(project)
    window.work_tabs.setCurrentWidget(window.slicing.panel)
    return window.slicing.panel


def add_second_run(project_path: Path, folder: Path) -> None:
    """A second "model" on version 1: the first one's second-best guess, so the two disagree on every
    row."""
    from analysis.ingest.roles import RoleMapping
    from analysis.ingest.runs import import_run
    from analysis.view_frame import load_view_frame
    from storage.project import Project

    with Project.open(project_path) as project:
        frame = load_view_frame(project, 1)
        assert frame.probabilities is not None
        second = [frame.class_names[i] for i in np.argsort(-frame.probabilities, axis=1)[:, 1]]
        pl.DataFrame({"id": frame.rows["id"], "second": second}).write_csv(folder / "second.csv")
        import_run(project, 1, folder / "second.csv", RoleMapping(pred="second", run_name="runner-up"))


def test_build_save_and_read_a_slice(window: MainWindow, sample_project: Path) -> None:
    panel = open_slices(window, sample_project)
    panel.column.setCurrentText("label")
    panel.operator.setCurrentText("=")
    QTest.keyClicks(panel.value, "card_arrival")
    QTest.mouseClick(button(panel, "AND"), Qt.MouseButton.LeftButton)
    panel.column.setCurrentText("confidence")
    panel.operator.setCurrentText("<")
    panel.value.clear()
    QTest.keyClicks(panel.value, "0.5")
    QTest.mouseClick(button(panel, "OR"), Qt.MouseButton.LeftButton)
    assert panel.expression.text() == '"label" = \'card_arrival\' OR "confidence" < 0.5'
    panel.name.setText("arrival or unsure")
    panel.saveRequested.emit(panel.name.text(), panel.expression.text(), False)
    metrics = window.slicing.metrics["arrival or unsure"]
    rows = window.frame.rows
    expected = (rows["label"] == "card_arrival") | (rows["confidence"] < 0.5)
    assert metrics.rows == int(expected.sum())
    accuracy = float(rows.filter(expected)["correct"].mean())
    assert metrics.accuracy == accuracy and metrics.accuracy_low < accuracy < metrics.accuracy_high
    names = [panel.saved.item(r, 0).text() for r in range(panel.saved.rowCount())]
    assert names == sorted(["arrival or unsure", *EXAMPLE_SLICES])  # the demo's examples and the new one
    panel.sliceChosen.emit("arrival or unsure")
    assert np.array_equal(window.selection.row_ids, np.flatnonzero(expected.to_numpy()))
    assert window.table_view.model.rowCount() == int(expected.sum())
    assert len(panel.class_chart.getPlotItem().items) == 1  # the per-class F1 bars
    panel.expression.setText("no_such_column > 1")
    panel.applyRequested.emit(panel.expression.text())
    assert "cannot be used" in panel.message.text()
    # a value that does not fit its column is said, and the expression is left as it was
    panel.column.setCurrentText("confidence")
    panel.value.clear()
    QTest.keyClicks(panel.value, "low")
    QTest.mouseClick(button(panel, "AND"), Qt.MouseButton.LeftButton)
    assert "confidence holds numbers" in panel.message.text()
    assert panel.expression.text() == "no_such_column > 1"


def test_lasso_selection_saves_as_a_slice(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    window.selection.set([3, 5, 8])
    window.slicing.panel.saveRequested.emit("picked", "", True)
    assert window.slicing.metrics["picked"].rows == 3


def test_open_the_worst_discovered_slice(window: MainWindow, sample_project: Path) -> None:
    panel = open_slices(window, sample_project)
    panel.alpha.setValue(0.99)
    panel.discover.click()
    assert panel.found.rowCount() > 0 and panel.tabs.currentIndex() == FOUND_TAB
    assert "with α 0.99" in panel.message.text()
    where = panel.found.item(0, 0).text()
    QApplication.processEvents()  # lay the new rows out before pointing at one
    rect = panel.found.visualItemRect(panel.found.item(0, 0))
    # a person's double-click: press and release, then the double-click event (QTest's alone lacks
    # the first press, which the view checks)
    QTest.mouseClick(panel.found.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(panel.found.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.expression.text() == where
    table = window.slicing.table
    assert np.array_equal(window.selection.row_ids, np.flatnonzero(evaluate(table, {"where": where})))


def test_export_a_deduplicated_stratified_subset(
    window: MainWindow, sample_project: Path, tmp_path: Path
) -> None:
    window.open_project(sample_project)
    where = '"tag_near_duplicate" OR "tag_misclassified"'
    table = window.slicing.table
    matching = int(evaluate(table, {"where": where}).sum())
    dialog = ExportDialog([c for c in table.columns if not c.startswith("_")], matching, where)
    dialog.format.setCurrentText("csv")
    dialog.out.setText(str(tmp_path / "subset.csv"))
    dialog.dedupe.setCurrentText("near")
    dialog.sample_by.setCurrentText("label")
    dialog.sample_size.setValue(200)
    window.slicing.export_with(dialog, where)
    manifest = json.loads((tmp_path / "subset.csv.manifest.json").read_text())
    exported = pl.read_csv(tmp_path / "subset.csv")
    assert manifest["rows"] == exported.height == 200
    assert manifest["filter"] == where and manifest["options"]["dedupe"] == "near"
    assert exported["id"].to_list() == manifest["row_keys"]  # every row traces back to its source row
    groups = window.frame.tags.filter(pl.col("tag") == "near_duplicate")
    group_of = {r: json.loads(d)["group"] for r, d in groups.select("row_id", "detail").iter_rows()}
    ids = window.frame.rows["id"].to_list()
    kept = [group_of.get(ids.index(k)) for k in exported["id"]]
    assert len([g for g in kept if g is not None]) == len({g for g in kept if g is not None})  # one per group
    assert "Exported 200 rows" in window.slicing.panel.message.text()


def test_export_the_selection_from_the_dialog(
    window: MainWindow, sample_project: Path, tmp_path: Path
) -> None:
    window.open_project(sample_project)
    window.selection.set([4, 9, 16, 25])
    keys = window.frame.rows["_row_key"].gather([4, 9, 16, 25]).to_list()
    window.slicing.export("", row_keys=keys, description="4 selected rows")  # what Ctrl+E does
    dialog = window.slicing.dialog
    assert dialog is not None and dialog.preview.text().startswith("4 rows match: 4 selected rows")
    assert not dialog.unapproved.isHidden()  # the sample's version is not approved: said before export
    dialog.out.setText(str(tmp_path / "picked.jsonl"))
    dialog.out.editingFinished.emit()
    dialog.show()
    QTest.mouseClick(dialog.redact_pii, Qt.MouseButton.LeftButton)
    window.slicing.export_with(dialog, "", row_keys=keys)
    manifest = json.loads((tmp_path / "picked.jsonl.manifest.json").read_text())
    assert manifest["row_keys"] == keys and manifest["output"]["format"] == "jsonl"
    assert manifest["options"]["redact_pii"] is True and manifest["approval"]["approved"] is False
    assert pl.read_ndjson(tmp_path / "picked.jsonl").height == 4


def test_compare_two_runs_in_the_panel(window: MainWindow, sample_project: Path, tmp_path: Path) -> None:
    window.open_project(sample_project)
    assert not window.slicing.panel.tabs.isTabVisible(COMPARE_TAB)  # one run: nothing to compare
    add_second_run(sample_project, tmp_path)
    panel = open_slices(window, sample_project)
    assert panel.tabs.isTabVisible(COMPARE_TAB)
    assert panel.run_a.currentText() == "model" and panel.run_b.currentText() == "runner-up"
    QTest.mouseClick(panel.compare, Qt.MouseButton.LeftButton)
    assert panel.tabs.currentIndex() == COMPARE_TAB
    assert panel.comparison.isVisible() and panel.comparison.rowCount() == 1 + len(EXAMPLE_SLICES)
    first = panel.comparison.item(0, 4).text()
    assert panel.comparison.item(0, 0).text() == "all rows" and first.startswith("-")


def test_the_panel_fits_a_wide_short_tab(
    window: MainWindow, sample_project: Path, tmp_path: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    add_second_run(sample_project, tmp_path)
    window.open_project(sample_project)
    # A panel of its own at the size of the work area's tab at 1366 × 768 (the window's is in a tab).
    controller = SlicingController(window)
    panel = controller.panel
    qtbot.addWidget(panel)
    controller.set_frame(window.frame)
    panel.resize(1000, 320)
    panel.show()
    controller.choose("card intents")
    panel.alpha.setValue(0.99)
    controller.discover()
    QApplication.processEvents()
    problems = []
    for tab in (SAVED_TAB, FOUND_TAB, COMPARE_TAB):
        panel.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        problems += [f"{panel.tabs.tabText(tab)}: {p}" for p in squeezed(panel)]
    # a long error (the filter's column list) keeps to its two lines; the tables keep their room
    controller.select_where("no_such_column > 1")
    QApplication.processEvents()
    problems += [f"error shown: {p}" for p in squeezed(panel)]
    assert not problems, "\n".join(problems)
    assert "Columns: id, text" in panel.message.text()  # the whole text is kept (and in the tooltip)
    assert panel.message.height() < 40 and panel.saved.height() >= 150
    # the tables get most of the width; both charts are wholly inside the panel
    assert panel.saved.width() >= 0.55 * panel.width()
    for chart in (panel.chart, panel.class_chart):
        corner = chart.mapTo(panel, chart.rect().bottomRight())
        assert corner.x() <= panel.width() and corner.y() <= panel.height()
        assert chart.height() >= 110 and chart.width() >= 240
    assert len(panel.class_chart.getPlotItem().items) == 1  # the chosen slice's lowest F1 bars


def test_a_new_tag_reaches_the_filter_builder(window: MainWindow, sample_project: Path) -> None:
    from storage.tags import apply_tag, create_tag

    panel, project = open_slices(window, sample_project), window.project
    assert project is not None and window.version_id is not None
    columns = [panel.column.itemText(i) for i in range(panel.column.count())]
    assert "tag_to_relabel" not in columns and columns[0] == "text"
    create_tag(project, "to relabel", "#aa3377", "rows to send back", "curation")
    apply_tag(project, window.version_id, "to relabel", [2, 3, 5, 7])
    window.state.refresh_tags()  # what tagging in the window does after a change
    columns = [panel.column.itemText(i) for i in range(panel.column.count())]
    assert "tag_to_relabel" in columns
    panel.column.setCurrentText("tag_to_relabel")
    QTest.mouseClick(button(panel, "AND"), Qt.MouseButton.LeftButton)
    assert panel.expression.text() == '"tag_to_relabel" = true'
    QTest.mouseClick(button(panel, "Select rows"), Qt.MouseButton.LeftButton)
    assert list(window.selection.row_ids) == [2, 3, 5, 7]
    assert "4 rows match" in panel.message.text()


@pytest.fixture
def async_window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """A main window whose jobs run in the job runner's threads, as in the application."""
    win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    yield win
    win.jobs.cancel()
    win.jobs.wait(30_000)


def test_discovery_and_metrics_run_off_the_gui_thread(
    async_window: MainWindow, sample_project: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window = async_window
    open_slices(window, sample_project)
    qtbot.waitUntil(lambda: window.slicing.panel.saved.rowCount() == len(EXAMPLE_SLICES), timeout=60_000)
    panel = window.slicing.panel
    heartbeat = Heartbeat().__enter__()
    panel.alpha.setValue(0.99)
    QTest.mouseClick(panel.discover, Qt.MouseButton.LeftButton)
    # the click returned at once, before any result: the search runs in a job
    assert not panel.discover.isEnabled() and panel.found.rowCount() == 0
    qtbot.waitUntil(lambda: panel.found.rowCount() > 0, timeout=60_000)
    assert panel.discover.isEnabled()
    # saving a slice recomputes every slice's metrics in a job too
    QTest.keyClicks(panel.name, "short texts")
    QTest.keyClicks(panel.expression, "length(text) < 30")
    QTest.mouseClick(button(panel, "Save slice"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "short texts" in window.slicing.metrics, timeout=60_000)
    heartbeat.__exit__()
    stalls = f"{heartbeat.longest_cpu_ms:.0f} ms of GUI-thread work, {heartbeat.longest_ms:.0f} ms wall"
    assert heartbeat.longest_cpu_ms < 200, f"the event loop stalled: {stalls}"


def test_a_cancelled_or_stale_search_shows_nothing(
    async_window: MainWindow, sample_project: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window = async_window
    open_slices(window, sample_project)
    qtbot.waitUntil(lambda: window.frame is not None, timeout=60_000)
    # the shown version's views update one per event-loop turn; let them all run before searching, or
    # one of them may reset the panel after the search below (the more views, the later)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=60_000)
    panel = window.slicing.panel
    panel.alpha.setValue(0.99)
    panel.discover.click()
    window.slicing.set_frame(window.frame)  # the version is shown again meanwhile: the result is stale
    window.jobs.wait(60_000)
    QApplication.processEvents()
    assert panel.found.rowCount() == 0 and panel.discover.isEnabled()
    panel.discover.click()
    window.jobs.cancel(DISCOVER)  # what the status bar's Cancel does
    window.jobs.wait(60_000)
    qtbot.waitUntil(lambda: panel.discover.isEnabled(), timeout=10_000)
    assert panel.found.rowCount() == 0 and panel.message.text() == "Cancelled; nothing was changed."
