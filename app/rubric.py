"""Class rubrics in the window: the review queue shows the rubric of the suggested (and given) class,
and *Edit rubric…* (E) stores a new text for everyone who reviews, undoable with Ctrl+Z."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QTextCursor, QUndoCommand
from PySide6.QtWidgets import QInputDialog, QPlainTextEdit, QWidget

from analysis.view_frame import ViewFrame
from storage.errors import StrataError
from storage.rubrics import read_rubric, set_rubric
from storage.versions import get_version

if TYPE_CHECKING:
    from app.curation import CurationController
    from app.workspace import Workspace

# asks for a class's rubric text: (parent, class name, current text) → new text, or None (cancelled)
AskText = Callable[[QWidget, str, str], "str | None"]


def ask_rubric_text(parent: QWidget, class_name: str, current: str) -> str | None:
    """A multi-line text dialog for the rubric of ``class_name``, lines wrapped to its width (Qt's
    getMultiLineText scrolls a rubric sideways); None when cancelled."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Class rubric")
    dialog.setLabelText(f"What '{class_name}' means for the people labelling it (empty removes the rubric):")
    dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
    dialog.setTextValue(current)
    edit = dialog.findChild(QPlainTextEdit)
    if edit is not None:
        edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        # Qt selects the whole text when the dialog shows; typing then would replace the rubric.
        QTimer.singleShot(0, lambda: edit.moveCursor(QTextCursor.MoveOperation.End))
    dialog.resize(560, 280)
    return dialog.textValue() if dialog.exec() else None


class RubricEdit(QUndoCommand):
    """A rubric's new text, stored on redo; undo stores the text it had."""

    def __init__(
        self, controller: RubricController, dataset_id: int, class_name: str, texts: tuple[str, str]
    ):
        super().__init__(f"Edit the rubric of '{class_name}'")
        self.controller, self.dataset_id, self.class_name = controller, dataset_id, class_name
        self.before, self.after = texts

    def redo(self) -> None:
        self.controller.store(self.dataset_id, self.class_name, self.after)

    def undo(self) -> None:
        self.controller.store(self.dataset_id, self.class_name, self.before)


class RubricController(QObject):
    """Loads the shown dataset's rubric into the review panel and stores its edits."""

    def __init__(self, workspace: Workspace, curation: CurationController, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace, self.curation = workspace, curation
        self.ask: AskText = ask_rubric_text
        self.dataset_id: int | None = None
        curation.review.rubricEditRequested.connect(self.edit)
        workspace.state.events.connect("version", lambda frame, dataset_changed: self.load(frame), later=True)

    def load(self, frame: ViewFrame | None) -> None:
        """Show the rubric of ``frame``'s dataset (none without a frame)."""
        project = self.workspace.project
        if project is None or frame is None:
            self.dataset_id = None
            self.curation.review.set_rubric({})
            return
        self.dataset_id = get_version(project, frame.version_id).dataset_id
        self.curation.review.set_rubric(read_rubric(project, self.dataset_id))

    def edit(self, class_name: str) -> None:
        """Ask for the rubric of ``class_name`` and store it (one undoable step)."""
        if self.dataset_id is None:
            return
        before = self.curation.review.rubric.get(class_name, "")
        after = self.ask(self.curation.review, class_name, before)
        if after is None or after.strip() == before:
            return
        self.curation.undo_stack.push(RubricEdit(self, self.dataset_id, class_name, (before, after.strip())))

    def store(self, dataset_id: int, class_name: str, text: str) -> None:
        """Store a rubric text and show it (an error goes to the status bar and a message box)."""
        project = self.workspace.project
        if project is None:
            return
        try:
            set_rubric(project, dataset_id, class_name, text)
        except StrataError as err:
            self.workspace.show_error(err)
            return
        if dataset_id == self.dataset_id:
            self.curation.review.set_rubric(read_rubric(project, dataset_id))
            self.workspace.notify(f"Rubric of '{class_name}' saved (Ctrl+Z undoes).")
