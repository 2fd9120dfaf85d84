"""Slices in the window: build, save and read a slice, open a discovered slice, export a curated subset."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from analysis.slices.filters import evaluate
from app.demo import EXAMPLE_SLICES
from app.main_window import MainWindow
from widgets.export_dialog import ExportDialog


def test_build_save_and_read_a_slice(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    panel = window.slicing.panel
    panel.column.setCurrentText("label")
    panel.operator.setCurrentText("=")
    panel.value.setText("card_arrival")
    panel.add_condition()
    panel.column.setCurrentText("confidence")
    panel.operator.setCurrentText("<")
    panel.value.setText("0.5")
    panel.add_condition("OR")
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


def test_lasso_selection_saves_as_a_slice(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    window.selection.set([3, 5, 8])
    window.slicing.panel.saveRequested.emit("picked", "", True)
    assert window.slicing.metrics["picked"].rows == 3


def test_open_the_worst_discovered_slice(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    panel = window.slicing.panel
    panel.alpha.setValue(0.99)
    panel.discover.click()
    assert panel.found.rowCount() > 0
    panel.found.cellDoubleClicked.emit(0, 0)
    where = panel.found.item(0, 0).text()
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


def test_compare_two_runs_in_the_panel(window: MainWindow, sample_project: Path, tmp_path: Path) -> None:
    from analysis.ingest.roles import RoleMapping
    from analysis.ingest.runs import import_run
    from storage.project import Project

    # a second "model": the first one's second-best guess, so the two runs disagree on every row
    window.open_project(sample_project)
    probs = window.frame.probabilities
    names = window.frame.class_names
    second = [names[i] for i in np.argsort(-probs, axis=1)[:, 1]]
    pl.DataFrame({"id": window.frame.rows["id"], "second": second}).write_csv(tmp_path / "second.csv")
    with Project.open(sample_project) as project:
        import_run(
            project,
            window.version_id,
            tmp_path / "second.csv",
            RoleMapping(pred="second", run_name="runner-up"),
        )
    window.open_project(sample_project)
    panel = window.slicing.panel
    assert panel.run_a.currentText() == "model" and panel.run_b.currentText() == "runner-up"
    panel.compareRequested.emit("model", "runner-up")
    assert panel.comparison.isVisible() and panel.comparison.rowCount() == 1 + len(EXAMPLE_SLICES)
    first = panel.comparison.item(0, 4).text()
    assert panel.comparison.item(0, 0).text() == "all rows" and first.startswith("-")
