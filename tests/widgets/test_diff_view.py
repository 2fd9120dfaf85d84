"""A diff's label changes on the sample (77 classes): the list and the heatmap of old → new labels, each
selecting the changed rows by key, in a low, wide area."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from analysis.versions.diff import diff_versions
from analysis.versions.relabel import create_corrected_version
from storage.project import Project
from storage.runs import read_predictions
from storage.versions import read_rows
from widgets.diff_view import DiffView


def test_label_changes_list_and_heatmap_select_the_changed_rows(qtbot, sample_project: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(sample_project) as project:
        rows = read_rows(project, 1, ["label"]).with_columns(
            predicted=read_predictions(project, 1)["predicted"]
        )
        wrong = rows.filter(pl.col("label") != pl.col("predicted")).head(40)
        new = create_corrected_version(
            project, 1, dict(zip(wrong["_row_id"], wrong["predicted"], strict=True))
        )
        diff = diff_versions(project, 1, new)
    changes = (
        wrong.group_by("label", "predicted")
        .agg(pl.col("_row_key"))
        .with_columns(n=pl.col("_row_key").list.len())
    )
    changes = changes.sort("n", "label", descending=[True, False])
    view = DiffView()
    qtbot.addWidget(view)
    view.resize(1000, 420)
    view.show()
    emitted: list[list[str]] = []
    view.selectKeys.connect(emitted.append)
    view.show_diff(diff)
    qtbot.waitExposed(view)
    qtbot.wait(50)  # the layout settles: the list's rows and the heatmap's cells have their places
    assert view.tabs.currentIndex() == 0 and view.tabs.tabText(0) == "Label changes (40)"
    pairs = diff.label_pairs
    assert pairs is not None and pairs.total == 40 and pairs.first_name == "from"

    listed = view.changes.list
    model = listed.model()
    assert model.rowCount() == changes.height
    assert listed.isColumnHidden(3)  # a share of the changed rows only would mislead
    assert int(model.index(0, 2).data()) == changes["n"][0]
    old, new_label = model.index(0, 0).data(), model.index(0, 1).data()
    QTest.mouseClick(
        listed.viewport(), Qt.MouseButton.LeftButton, pos=listed.visualRect(model.index(0, 1)).center()
    )
    qtbot.waitUntil(lambda: len(emitted) == 1, timeout=3000)
    expected = wrong.filter((pl.col("label") == old) & (pl.col("predicted") == new_label))["_row_key"]
    assert sorted(emitted[0]) == sorted(expected.to_list())

    heatmap = view.changes.heatmap
    last = changes.row(-1, named=True)
    i, j = pairs.classes.index(last["label"]), pairs.classes.index(last["predicted"])
    pos = heatmap.cell_centre(i, j).toPoint()
    QTest.mouseMove(heatmap.viewport(), pos)
    text = f"from {last['label']} → to {last['predicted']}: {last['n']} row"
    qtbot.waitUntil(lambda: text in QToolTip.text(), timeout=3000)
    QTest.mouseClick(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: len(emitted) == 2, timeout=3000)
    assert sorted(emitted[1]) == sorted(last["_row_key"])

    view.clear()
    assert view.changes.pairs is None and view.rows.rowCount() == 0
