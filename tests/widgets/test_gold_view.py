"""The gold-set panel on real BANKING77 rows (a slice marked gold, a later version relabelling three of
its rows, a classifier run and a probe run) as a person uses it, in a 1000 × 320 tab: a line per
version and per run, the rows behind a line on a click, a row named on a click, a gold set marked
with the keyboard."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.gold_changes import mark_gold_set
from analysis.labeling.gold_report import GoldReport, gold_report
from analysis.slices.row_sets import resolve_row_set
from storage.project import Project
from storage.runs import NewRun, add_run
from tests.widget_sizes import squeezed
from widgets.gold_view import ALL_ROWS, EMPTY_NOTE, GoldView

ROLES = RoleMapping(id="id", text="text", label="category")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, banking_small: Path) -> GoldReport:
    folder = tmp_path_factory.mktemp("gold_view")
    rows = pl.read_csv(banking_small)
    with Project.create(folder / "p.strata") as project:
        import_dataset(project, banking_small, ROLES, name="bank")
        labels = rows["category"].to_list()
        wrong = [labels[(i + 1) % len(labels)] if i % 5 == 0 else lab for i, lab in enumerate(labels)]
        add_run(project, 1, NewRun("model", sorted(set(labels)), "test", wrong))
        add_run(project, 1, NewRun("probe", sorted(set(labels)), "test", labels, kind="probe"))
        gold = resolve_row_set(project, "bank", where="category LIKE 'card%'")
        mark_gold_set(project, "cards", gold, note="checked twice")
        relabel = gold.rows["_row_key"][:3].to_list()
        rows.with_columns(
            category=pl.when(pl.col("id").is_in(relabel)).then(pl.lit("wrong")).otherwise("category")
        ).write_csv(folder / "v2.csv")
        import_dataset(project, folder / "v2.csv", ROLES, version_of="bank")
        return gold_report(project, "cards")


@pytest.fixture
def view(qtbot) -> GoldView:  # type: ignore[no-untyped-def]
    widget = GoldView()
    qtbot.addWidget(widget)
    widget.resize(1000, 320)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def click(table, row: int, column: int = 0) -> None:  # type: ignore[no-untyped-def]
    QTest.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualItemRect(table.item(row, column)).center(),
    )


def test_scores_per_version_and_run_and_the_rows_behind_them(
    view: GoldView, report: GoldReport, qtbot
) -> None:  # type: ignore[no-untyped-def]
    assert view.note.text() == EMPTY_NOTE
    view.set_gold_sets(["cards"])
    view.show_report(report)
    qtbot.wait(50)
    assert squeezed(view) == []
    n = report.gold.rows
    assert view.note.text().startswith(f"'cards': {n} rows of bank:1 where category LIKE 'card%', revision 0")
    assert view.note.text().endswith("bank:2: 3 gold rows changed.")
    scores = view.scores
    lines = [[scores.item(r, c).text() for c in (0, 1, 4, 5)] for r in range(scores.rowCount())]
    model = report.runs[0]
    assert lines == [
        ["bank:1", "labels", "0", "0"],
        ["bank:2", "labels", "3", "3"],
        ["bank:1 run model", "classifier", f"{model.disagreements.height}", ""],
        ["bank:1 run probe", "probe", "0", ""],
    ]
    second = report.versions[1].score
    assert second is not None
    assert scores.item(1, 2).text() == f"{second.accuracy:.1%} [{second.low:.1%}, {second.high:.1%}]"
    # the newest version's violations are shown first
    assert view.rows_title.text() == "bank:2: gold rows missing or changed (3)"
    assert [view.rows.item(r, 3).text() for r in range(3)] == ["wrong"] * 3

    click(scores, 2)
    assert (
        view.rows_title.text()
        == f"bank:1 run model: rows predicted otherwise than gold ({model.disagreements.height})"
    )
    first = model.disagreements.row(0, named=True)
    assert view.rows.item(0, 0).text() == first["row_key"] and view.rows.item(0, 3).text() == first["given"]
    with qtbot.waitSignal(view.rowSelected, timeout=2000) as chosen:
        click(view.rows, 0, 4)
    assert chosen.args == [1, first["row_id"]]


def test_choosing_and_marking(view: GoldView, report: GoldReport, qtbot) -> None:  # type: ignore[no-untyped-def]
    view.set_gold_sets(["cards", "other"], "other")
    view.set_slices(["hard", "recent"])
    assert view.gold.currentText() == "other"
    view.gold.setFocus()
    with qtbot.waitSignal(view.goldChosen, timeout=2000) as chosen:
        QTest.keyClick(view.gold, Qt.Key.Key_Up)
    assert chosen.args == ["cards"]

    with qtbot.assertNotEmitted(view.markRequested):
        QTest.mouseClick(view.mark_button, Qt.MouseButton.LeftButton)
    assert view.note.text() == "Give the new gold set a name first." and view.name.hasFocus()
    QTest.keyClicks(view.name, "held out")
    view.slice.setFocus()
    QTest.keyClick(view.slice, Qt.Key.Key_Down)
    QTest.keyClicks(view.why, "reviewed by two people")
    with qtbot.waitSignal(view.markRequested, timeout=2000) as marked:
        QTest.mouseClick(view.mark_button, Qt.MouseButton.LeftButton)
    assert marked.args == ["held out", "hard", "reviewed by two people"]
    view.slice.setCurrentText(ALL_ROWS)
    with qtbot.waitSignal(view.markRequested, timeout=2000) as whole:
        QTest.mouseClick(view.mark_button, Qt.MouseButton.LeftButton)
    assert whole.args[1] == ""
    view.clear("No project.")
    assert view.note.text() == "No project." and view.scores.rowCount() == 0
