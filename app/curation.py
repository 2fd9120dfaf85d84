"""Error analysis and curation in the window: error modes, confusion matrix, inspector, tags, review.

Tag changes go through a QUndoStack (Edit → Undo / Redo); each change is also in the audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack

from analysis.versions.review import ReviewQueue
from analysis.view_frame import ViewFrame
from storage.errors import StrataError
from storage.tags import HUMAN_KINDS, apply_tag, create_tag, list_tags, read_row_tags, remove_tag
from widgets.confusion_view import ConfusionView
from widgets.error_panel import ErrorPanel
from widgets.review_panel import ReviewPanel
from widgets.row_inspector import RowInspector
from widgets.tags_panel import TagsPanel

if TYPE_CHECKING:
    from app.main_window import MainWindow


class TagCommand(QUndoCommand):
    """Apply (or remove) a human tag on rows; undo does the inverse on exactly the rows it changed."""

    def __init__(
        self, controller: CurationController, tag: str, rows: list[int], note: str, apply: bool
    ) -> None:
        verb = "Tag" if apply else "Untag"
        super().__init__(f"{verb} {len(rows):,} rows '{tag}'")
        self.controller, self.tag, self.rows, self.note, self.apply = controller, tag, rows, note, apply
        self.changed: list[int] = []

    def _do(self, apply: bool, rows: list[int]) -> list[int]:
        window = self.controller.window
        assert window.project is not None and window.version_id is not None
        action = apply_tag if apply else remove_tag
        changed = action(window.project, window.version_id, self.tag, rows, note=self.note)
        self.controller.refresh_tags()
        return changed

    def redo(self) -> None:
        self.changed = self._do(self.apply, self.rows)

    def undo(self) -> None:
        self._do(not self.apply, self.changed)


class CurationController(QObject):
    """Owns the error-analysis views and the undo stack of the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.undo_stack = QUndoStack(self)
        selection = window.selection
        self.errors = ErrorPanel(selection)
        self.confusion = ConfusionView(selection)
        self.inspector = RowInspector(selection)
        self.tags = TagsPanel(list(HUMAN_KINDS))
        self.review = ReviewPanel()
        self.errors.colourByTag.connect(lambda tag: window.map_view.set_colour_mode(f"tag:{tag}"))
        self.tags.createRequested.connect(self.create)
        self.tags.applyRequested.connect(self.apply)
        self.tags.removeRequested.connect(
            lambda tag, note: self.change(tag, selection.row_ids.tolist(), note, False)
        )
        self.review.rowShown.connect(lambda row: selection.set([row], source=self.review))
        self.review.tagRequested.connect(
            lambda row: self.tags.current() and self.change(self.tags.current(), [row], "review", True)
        )
        self.review.saveRequested.connect(self.save_review)
        self.review.queueRequested.connect(self.review_tag)

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Follow the version the window shows."""
        self.undo_stack.clear()
        for view in (self.errors, self.confusion, self.inspector):
            view.set_frame(frame)
        project = self.window.project
        self.tags.set_tags(list_tags(project) if project else [])
        queue = ReviewQueue.for_tag(project, frame.version_id) if project and frame else None
        self.review.set_queue(queue, frame)

    def review_tag(self, tag: str) -> None:
        """Review the rows carrying ``tag``, highest score first."""
        project, frame = self.window.project, self.window.frame
        if project is not None and frame is not None:
            self.review.set_queue(ReviewQueue.for_tag(project, frame.version_id, tag), frame)

    def refresh_tags(self) -> None:
        """Re-read the version's tags into the frame and every view that shows them."""
        window = self.window
        frame, project = window.frame, window.project
        if frame is None or project is None:
            return
        frame.tags = read_row_tags(project, frame.version_id)
        self.errors.set_frame(frame)
        self.tags.set_tags(list_tags(project))
        self.inspector.show_row(self.inspector.row_id)
        mode = window.map_view.colour_mode()
        if mode.startswith("tag:"):
            window.map_view.set_colour_mode(mode)

    def create(self, name: str, colour: str, description: str, kind: str) -> None:
        """Define a new tag and choose it."""
        if self.window.project is None:
            return
        try:
            create_tag(self.window.project, name, colour, description, kind)
        except StrataError as err:
            self.window.show_error(err)
            return
        self.tags.set_tags(list_tags(self.window.project))
        self.tags.choose(name.strip())

    def apply(self, tag: str, scope: str, note: str) -> None:
        """Tag the selection, or every row the table's search matches, in one undoable action."""
        if scope == "filter":
            table = self.window.table_view
            rows = table.model.row_ids(list(range(table.model.rowCount()))).tolist()
        else:
            rows = self.window.selection.row_ids.tolist()
        self.change(tag, rows, note, True)

    def change(self, tag: str, rows: list[int], note: str, apply: bool) -> None:
        """Push one tag change on the undo stack (it runs at once)."""
        if not rows or self.window.version_id is None:
            return
        try:
            self.undo_stack.push(TagCommand(self, tag, [int(r) for r in np.unique(rows)], note, apply))
        except StrataError as err:
            self.window.show_error(err)

    def save_review(self) -> None:
        """Store the review's corrections as a new version and show it."""
        queue = self.review.queue
        if queue is None:
            return
        try:
            version = queue.save()
        except StrataError as err:
            self.window.show_error(err)
            return
        self.window.version_id = version
        self.window.refresh_project_panel()
        self.window.show_version(version)
