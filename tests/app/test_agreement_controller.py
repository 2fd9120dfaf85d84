"""The agreement controller with a small workspace: it measures the shown version, links the list to
the shared selection, and puts the rows sent to review in that review queue (real clicks, real data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from analysis.ingest.annotations import AnnotationSpec
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.selection import SelectionModel
from analysis.versions.review import ReviewQueue
from analysis.view_frame import load_view_frame
from analysis.workspace_state import WorkspaceState
from app.agreement import REVIEW_TAG, AgreementController
from app.jobs import JobRunner
from storage.project import Project


class SmallWorkspace:
    """What the controller uses of the window: the state, synchronous jobs, notes and errors."""

    def __init__(self, project: Project) -> None:
        self.state = WorkspaceState()
        self.state.set_project(project)
        self.jobs = JobRunner(sync=True)
        self.notes: list[str] = []
        self.errors: list[Exception] = []

    @property
    def project(self) -> Project | None:
        return self.state.project

    @property
    def selection(self) -> SelectionModel:
        return self.state.selection

    def notify(self, text: str) -> None:
        self.notes.append(text)

    def show_error(self, error: Exception) -> None:
        self.errors.append(error)


@pytest.fixture
def workspace(tmp_path: Path, data_dir: Path, banking_small: Path) -> SmallWorkspace:
    project = Project.create(tmp_path / "p.strata")
    import_dataset(
        project,
        data_dir / "convabuse" / "ConvAbuseEMNLPtest.csv",
        RoleMapping(id="example_id", text="user"),
        annotation=AnnotationSpec(columns=("Annotator?",), one_hot="is_abuse"),
        name="convabuse",
    )
    import_dataset(project, banking_small, RoleMapping(id="id", text="text", label="category"), name="bank")
    space = SmallWorkspace(project)
    yield space
    space.state.set_project(None)


def test_shown_version_measured_linked_and_sent_to_review(workspace: SmallWorkspace, qtbot) -> None:  # type: ignore[no-untyped-def]
    controller = AgreementController(workspace)  # type: ignore[arg-type]
    view = controller.view
    qtbot.addWidget(view)
    view.resize(1000, 320)
    view.show()
    project = workspace.project
    assert project is not None
    workspace.state.show(load_view_frame(project, 1))
    assert view.result is not None and view.result.version_id == 1 and workspace.errors == []
    assert view.note.text().startswith("Krippendorff's α nominal")

    table = view.rows
    ranked = view.result.disagreements
    QTest.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(0, 1)).center()
    )
    assert workspace.selection.row_ids.tolist() == [ranked["row_id"][0]]
    QTest.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        table.visualItemRect(table.item(2, 1)).center(),
    )
    chosen = ranked.head(3)
    assert workspace.selection.row_ids.tolist() == sorted(chosen["row_id"].to_list())

    with qtbot.waitSignal(controller.reviewReady, timeout=3000) as ready:
        QTest.mouseClick(view.review_button, Qt.MouseButton.LeftButton)
    assert ready.args == [REVIEW_TAG]
    queue = ReviewQueue.for_tag(project, 1, REVIEW_TAG)
    # the queue holds the three rows, most disagreement first, each suggesting the consensus
    assert [i.row_id for i in queue.items] == chosen["row_id"].to_list()
    assert [i.suggested for i in queue.items] == chosen["consensus"].to_list()
    assert workspace.notes == ["3 rows the annotators disagree on are in the review queue."]

    workspace.state.show(load_view_frame(project, 2))  # a version without annotations says so
    assert view.result is None and view.note.text().startswith("bank:1 has no annotations")
    assert workspace.errors == []
