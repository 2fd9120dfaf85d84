"""The gold controller with a small workspace on real GSM8K rows (test problems planted in a training
file, both embedded): a check asked for in the view tags the copies and lists them, a pair selects its
row, the stored copies come back when the version is shown again, a gold set is marked from the panel
and checked against, and a mistake is shown as an error (real clicks and keys)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.contamination_check import TAG
from analysis.pipeline.runner import run_pipeline
from analysis.view_frame import load_view_frame
from app.gold import GoldController
from storage.errors import InputError
from storage.gold_sets import get_gold_set
from storage.project import Project
from tests.analysis.labeling.gsm8k_plants import planted_files
from tests.app.test_agreement_controller import SmallWorkspace


@pytest.fixture
def workspace(tmp_path: Path) -> SmallWorkspace:
    test_path, train_path, plants = planted_files(tmp_path, tests=60, clean=60, per_kind=3)
    project = Project.create(tmp_path / "p.strata")
    roles = RoleMapping(id="id", text="question")
    import_dataset(project, test_path, roles, name="gsm8k_test")
    import_dataset(project, train_path, roles, name="gsm8k_train")
    for version in (1, 2):
        run_pipeline(project, version, stages=("embed",))
    space = SmallWorkspace(project)
    space.plants = plants  # type: ignore[attr-defined]
    yield space
    space.state.set_project(None)


def test_check_tag_list_select_and_mark(workspace: SmallWorkspace, qtbot) -> None:  # type: ignore[no-untyped-def]
    controller = GoldController(workspace)  # type: ignore[arg-type]
    view, panel = controller.contamination_view, controller.gold_view
    for widget in (view, panel):
        qtbot.addWidget(widget)
        widget.resize(1000, 320)
        widget.show()
    project = workspace.project
    assert project is not None
    workspace.state.show(load_view_frame(project, 2))
    assert view.table.rowCount() == 0 and workspace.errors == []
    choices = [view.against.itemText(i) for i in range(view.against.count())]
    assert choices == ["gsm8k_test:1"]  # the shown version itself is not offered

    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    plants = workspace.plants  # type: ignore[attr-defined]
    assert workspace.errors == [] and view.table.rowCount() == plants.height == 15
    assert set(view.pairs["row_key"]) == set(plants["id"])
    assert view.note.text().startswith("15 rows of gsm8k_train:1 copy rows of gsm8k_test:1: exact 6, near ")
    assert (
        workspace.notes[-1]
        == "15 rows of gsm8k_train:1 copy rows of gsm8k_test:1; they are tagged 'contaminated'."
    )
    assert workspace.state.frame is not None and workspace.state.frame.tag_mask(TAG).sum() == 15

    table = view.table
    QTest.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(4, 0)).center()
    )
    assert workspace.selection.row_ids.tolist() == [view.pairs["row_id"][4]]

    workspace.state.show(load_view_frame(project, 1))
    assert view.table.rowCount() == 0
    workspace.state.show(load_view_frame(project, 2))  # the stored tags come back as pairs
    assert view.table.rowCount() == 15 and set(view.pairs["row_key"]) == set(plants["id"])

    workspace.state.show(load_view_frame(project, 1))
    QTest.keyClicks(panel.name, "held_out")
    QTest.keyClicks(panel.why, "never trained on")
    with qtbot.waitSignal(controller.goldMarked, timeout=3000):
        QTest.mouseClick(panel.mark_button, Qt.MouseButton.LeftButton)
    gold = get_gold_set(project, "held_out")
    assert gold.rows == 60 and gold.note == "never trained on" and panel.gold.currentText() == "held_out"
    assert panel.report is not None and panel.report.gold.name == "held_out"
    assert workspace.notes[-1].startswith("Gold set 'held_out' marked from gsm8k_test:1. ")

    workspace.state.show(load_view_frame(project, 2))
    assert panel.gold.currentText() == "held_out" and panel.report is not None
    view.against.setCurrentText("gold:held_out")
    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert view.table.rowCount() == 15 and set(view.pairs["against"]) == {"gold set 'held_out'"}
    assert workspace.state.frame.tag_mask(TAG).sum() == 15  # the same rows, tagged by two checks

    view.against.setCurrentText("nope")
    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert len(workspace.errors) == 1 and isinstance(workspace.errors[0], InputError)
    assert "No dataset 'nope'" in str(workspace.errors[0])


def test_in_the_main_window(window, workspace: SmallWorkspace, qtbot) -> None:  # type: ignore[no-untyped-def]
    """What the lead wires: the controller made on the real window follows its versions, checks in its
    job runner, selects through its selection and reports in its status bar."""
    project = workspace.project
    assert project is not None
    path = project.path
    workspace.state.set_project(None)  # the window opens the file itself
    controller = GoldController(window, window)
    view = controller.contamination_view
    qtbot.addWidget(view)
    view.show()
    window.open_project(path)
    window.show_version(2)
    assert window.version_id == 2 and view.against.currentText() == "gsm8k_test:1"
    QTest.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert view.table.rowCount() == 15 and window.last_error == ""
    assert window.frame is not None and window.frame.tag_mask(TAG).sum() == 15
    table = view.table
    QTest.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(0, 0)).center()
    )
    assert window.selection.row_ids.tolist() == [view.pairs["row_id"][0]]
