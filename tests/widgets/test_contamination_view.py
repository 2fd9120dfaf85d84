"""The contamination view on real GSM8K pairs (copies and edits of test problems planted in training
problems, found by exact and 13-gram matching) as a person uses it, in a 1000 × 320 tab: the pairs side
by side, a click showing both texts in full and naming the row, a check asked for with the keyboard."""

from __future__ import annotations

import polars as pl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.contamination_check import ContaminationSpec, check_contamination
from analysis.slices.row_sets import resolve_row_set
from storage.project import Project
from tests.analysis.labeling.gsm8k_plants import planted_files
from tests.widget_sizes import squeezed
from widgets.contamination_view import EMPTY_NOTE, ContaminationView


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    folder = tmp_path_factory.mktemp("contamination_view")
    test_path, train_path, _ = planted_files(folder, tests=60, clean=60, per_kind=3)
    with Project.create(folder / "p.strata") as project:
        roles = RoleMapping(id="id", text="question")
        import_dataset(project, test_path, roles, name="gsm8k_test")
        import_dataset(project, train_path, roles, name="gsm8k_train")
        result = check_contamination(
            project,
            resolve_row_set(project, "gsm8k_train"),
            resolve_row_set(project, "gsm8k_test"),
            ContaminationSpec(kinds=("exact", "ngram")),
        )
    return result.pairs


@pytest.fixture
def view(qtbot) -> ContaminationView:  # type: ignore[no-untyped-def]
    widget = ContaminationView()
    qtbot.addWidget(widget)
    widget.resize(1000, 320)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_pairs_side_by_side_and_a_click_names_the_row(
    view: ContaminationView, pairs: pl.DataFrame, qtbot
) -> None:  # type: ignore[no-untyped-def]
    assert view.note.text() == EMPTY_NOTE and view.table.rowCount() == 0
    view.show_pairs(pairs)
    qtbot.wait(50)
    assert squeezed(view) == []
    exact = int((pairs["kind"] == "exact").sum())
    assert (
        view.note.text()
        == f"{pairs.height} rows copy rows of gsm8k_test:1: exact {exact}, ngram {pairs.height - exact}."
    )
    table = view.table
    assert table.rowCount() == pairs.height >= 9  # 6 copies, 3 embedded and some edits
    first = pairs.row(0, named=True)
    assert [table.item(0, c).text() for c in range(5)] == [
        " ".join(first["text"].split()),
        " ".join(first["match_text"].split()),
        "exact",
        "—",  # no embeddings were read: no cosine to show
        "gsm8k_test:1",
    ]
    last = pairs.height - 1
    assert table.item(last, 2).text() == "ngram" and "n-grams" in table.item(last, 3).text()
    with qtbot.waitSignal(view.rowSelected, timeout=2000) as clicked:
        QTest.mouseClick(
            table.viewport(),
            Qt.MouseButton.LeftButton,
            pos=table.visualItemRect(table.item(last, 1)).center(),
        )
    chosen = pairs.row(last, named=True)
    assert clicked.args == [chosen["row_id"]]
    assert view.checked_text.toPlainText() == f"{chosen['row_key']}\n\n{chosen['text']}"
    assert view.matching_text.toPlainText().startswith(f"{chosen['match_key']} (gsm8k_test:1)\n\n")
    assert chosen["match_text"][:40] in view.matching_text.toPlainText()


def test_a_check_is_asked_for_with_the_set_threshold_and_words(view: ContaminationView, qtbot) -> None:  # type: ignore[no-untyped-def]
    view.set_choices(["gold:held_out", "gsm8k_test:1"])
    assert view.against.currentText() == "gold:held_out"
    view.against.setFocus()
    view.against.lineEdit().selectAll()
    QTest.keyClicks(view.against.lineEdit(), "gsm8k_test:1")
    view.threshold.setFocus()
    view.threshold.lineEdit().selectAll()
    QTest.keyClicks(view.threshold.lineEdit(), "0.9")
    QTest.keyClick(view.ngram, Qt.Key.Key_Down)
    with qtbot.waitSignal(view.checkRequested, timeout=2000) as asked:
        QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert asked.args == ["gsm8k_test:1", pytest.approx(0.9), 12]
    view.set_choices(["gsm8k_test:1", "other:1"])  # what was typed stays
    assert view.against.currentText() == "gsm8k_test:1"
    view.against.lineEdit().clear()
    with qtbot.assertNotEmitted(view.checkRequested):
        QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert view.note.text().startswith("Choose the rows to check against first")
    view.clear("Nothing shown.")
    assert view.note.text() == "Nothing shown." and view.table.rowCount() == 0
