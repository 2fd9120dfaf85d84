"""Generative runs in the window: the Compare runs tab (wins, regressions), a regression picked with
the mouse selects the row everywhere, and the inspector shows every run's response."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.ingest.runs import import_run
from app.main_window import MainWindow
from storage.project import Project
from tests.conftest import DATA

ALPACA = DATA / "alpaca_eval"
ROLES = RoleMapping(id="id", text="instruction", response="output", scores=("preference",), pass_if=">= 1.5")


@pytest.fixture
def two_runs(tmp_path: Path) -> Path:
    path = tmp_path / "p.strata"
    with Project.create(path) as project:
        import_dataset(project, ALPACA / "vicuna-7b.jsonl", ROLES, name="alpaca_eval")
        import_run(project, 1, ALPACA / "alpaca-7b.jsonl", ROLES)
    return path


def test_compare_runs_tab_lists_regressions_and_selects_them(window: MainWindow, two_runs: Path) -> None:
    a = pl.read_ndjson(ALPACA / "vicuna-7b.jsonl")
    b = pl.read_ndjson(ALPACA / "alpaca-7b.jsonl")
    joined = a.join(b, on="id", suffix="_b")
    wins = int((joined["preference_b"] > joined["preference"]).sum())
    regressed = joined.filter((pl.col("preference") >= 1.5) & (pl.col("preference_b") < 1.5))["id"].to_list()

    window.open_project(two_runs)
    view = window.compare_runs.view
    tabs = window.work_tabs
    index = tabs.indexOf(view)
    bar = tabs.tabBar()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentWidget() is view
    assert f"{wins:,} wins" in view.summary.text()
    assert view.regressions.rowCount() == len(regressed)
    assert sorted(int(view.regressions.item(r, 0).text()) for r in range(len(regressed))) == sorted(regressed)
    assert view.board.rowCount() == 2 and view.board.item(0, 0).text() == "vicuna-7b"  # the higher pass rate

    table = view.regressions
    cell = table.visualRect(table.model().index(0, 2)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    picked = int(table.item(0, 0).text())
    assert window.selection.row_ids.tolist() == [picked]

    inspector = window.curation.inspector
    # side by side: every run's verdict on the picked prompt; this one regressed from A to B
    assert inspector.response_verdicts == {"vicuna-7b": "✓ passed", "alpaca-7b": "✗ failed"}
    shown = inspector.responses.toPlainText()
    assert b.filter(pl.col("id") == picked)["output"][0].split("\n")[0][:40] in shown


def test_swapping_the_runs_with_the_keyboard(window: MainWindow, two_runs: Path) -> None:
    window.open_project(two_runs)
    view = window.compare_runs.view
    window.work_tabs.setCurrentWidget(view)
    assert view.run_a.currentText() == "vicuna-7b" and view.run_b.currentText() == "alpaca-7b"
    view.run_a.setFocus()
    QTest.keyClick(view.run_a, Qt.Key.Key_Down)  # a closed combo box steps to the next run
    assert view.run_a.currentText() == "alpaca-7b"
    assert view.summary.text().startswith("<b>vicuna-7b</b> against <b>alpaca-7b</b>")


@pytest.fixture
def counted(tmp_path: Path) -> Path:
    """150 prompts, two runs, mapped and clustered, the text tokens counted."""
    from analysis.pipeline.runner import run_pipeline

    path = tmp_path / "p.strata"
    for model in ("vicuna-7b", "alpaca-7b"):
        rows = pl.read_ndjson(ALPACA / f"{model}.jsonl").filter(pl.col("id") < 150)
        rows.write_ndjson(tmp_path / f"{model}.jsonl")
    with Project.create(path) as project:
        import_dataset(project, tmp_path / "vicuna-7b.jsonl", ROLES, name="ae")
        import_run(project, 1, tmp_path / "alpaca-7b.jsonl", ROLES)
        run_pipeline(project, 1, stages=("cluster",))
    return path


def test_best_run_colours_export_tokens_and_diversity(window: MainWindow, counted: Path) -> None:
    from analysis.generative.tokens import count_tokens

    a = pl.read_ndjson(ALPACA / "vicuna-7b.jsonl").filter(pl.col("id") < 150).sort("id")
    b = pl.read_ndjson(ALPACA / "alpaca-7b.jsonl").filter(pl.col("id") < 150).sort("id")
    best_a = int((a["preference"] > b["preference"]).sum())
    best_b = int((b["preference"] > a["preference"]).sum())
    koala = (a["dataset"] == "koala").to_numpy()
    # the newest run (alpaca-7b) is shown: its responses' tokens and the prompts'
    koala_tokens = int(count_tokens(a.filter(koala)["instruction"].to_list()).sum()) + int(
        count_tokens(b.filter(koala)["output"].to_list()).sum()
    )

    window.open_project(counted)
    box = window.map_view.colour_box
    assert box.itemText(box.findData("correct")) == "Passed / failed"
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Home)
    while box.currentData() != "run":  # the colourings are walked with the keyboard
        before = box.currentIndex()
        QTest.keyClick(box, Qt.Key.Key_Down)
        assert box.currentIndex() != before, "no 'Best run' colouring offered"
    counts = {e.name: e.count for e in window.map_view.legend.entries}
    assert counts["vicuna-7b"] == best_a and counts["alpaca-7b"] == best_b
    assert counts["tie"] == 150 - best_a - best_b

    window.slicing.export("dataset = 'koala'")
    dialog = window.slicing.dialog
    assert dialog is not None
    assert f"Filter: {koala.sum()} rows, {koala_tokens:,} tokens" in dialog.tokens.text()
    dialog.sample_by.setFocus()
    QTest.keyClicks(dialog.sample_by, "dataset")  # type-ahead picks the column
    dialog.sample_size.selectAll()
    QTest.keyClicks(dialog.sample_size, "5")
    assert dialog.sample_by.currentText() == "dataset"
    assert "Exported: 5 rows" in dialog.tokens.text()
    dialog.reject()

    drift = window.versions.drift_view
    window.work_tabs.setCurrentWidget(drift)
    QTest.mouseClick(drift.diversity, Qt.MouseButton.LeftButton, pos=drift.diversity.rect().center())
    assert drift.diversity.isChecked()
    drift.cur_where.setText("dataset = 'koala'")
    QTest.mouseClick(drift.run_button, Qt.MouseButton.LeftButton)
    table = drift.diversity_table
    sources = {table.item(r, 0).text() for r in range(table.rowCount())}
    assert sources == {"instruction", "run vicuna-7b", "run alpaca-7b"} and table.rowCount() == 15
    assert drift.pages.isTabEnabled(2)
    assert "Diversity" in drift.note.text()
    # a run's score drift is listed and drawn like a column
    listed = [drift.table.item(r, 0).text() for r in range(drift.table.rowCount())]
    assert "vicuna-7b: preference" in listed
    drift.show_column("vicuna-7b: preference")


def test_import_dialog_takes_a_generative_run(qtbot: object, tmp_path: Path) -> None:
    from analysis.generative.runs import find_run, run_outcomes
    from widgets.import_dialog import ImportDialog

    dialog = ImportDialog(ALPACA / "alpaca-7b.jsonl")
    assert dialog.response.currentText() == "output"  # guessed from the column's name
    QTest.keyClicks(dialog.scores, "preference")
    QTest.keyClicks(dialog.pass_if, ">= 1.5")
    request = dialog.request()
    assert (request.roles.response, request.roles.scores, request.roles.pass_if) == (
        "output",
        ("preference",),
        ">= 1.5",
    )
    expected = int((pl.read_ndjson(ALPACA / "alpaca-7b.jsonl")["preference"] >= 1.5).sum())
    with Project.create(tmp_path / "p.strata") as project:
        import_dataset(project, request.path, request.roles, name=request.name)
        outcomes = run_outcomes(project, find_run(project, 1, "alpaca-7b"), 805)
    assert int((outcomes.passed == 1.0).sum()) == expected
