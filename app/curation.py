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
from app.jobs import JobProgress
from storage.cluster_names import rename_cluster
from storage.errors import StrataError
from storage.stage_outputs import latest_stage
from storage.tags import HUMAN_KINDS, apply_tag, create_tag, list_tags, remove_tag
from widgets.confusion_view import ConfusionView
from widgets.error_panel import ErrorPanel
from widgets.review_panel import ReviewPanel
from widgets.row_inspector import RowInspector
from widgets.tags_panel import TagsPanel

if TYPE_CHECKING:
    from app.workspace import Workspace


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
        workspace = self.controller.workspace
        assert workspace.project is not None and workspace.version_id is not None
        action = apply_tag if apply else remove_tag
        changed = action(workspace.project, workspace.version_id, self.tag, rows, note=self.note)
        workspace.state.refresh_tags()
        verb = "Tagged" if apply else "Removed the tag from"
        workspace.notify(f"{verb} {len(changed):,} row(s) '{self.tag}'" + ("" if changed else " (no change)"))
        return changed

    def redo(self) -> None:
        self.changed = self._do(self.apply, self.rows)

    def undo(self) -> None:
        self._do(not self.apply, self.changed)


class RenameCluster(QUndoCommand):
    """A cluster's new name, already stored when pushed; undo and redo store the old / new name for the
    same member rows (the clustering's stage key pins which cluster, even after a rerun)."""

    def __init__(
        self,
        controller: CurationController,
        version: int,
        label: int,
        names: tuple[str, str],
        where: tuple[str, str],
    ) -> None:
        super().__init__(f"Rename cluster {label} to '{names[1]}'")
        self.controller, self.version, self.label = controller, version, label
        self.stage, self.key = where
        self.old, self.new = names
        self._stored = True  # the first redo (from push) finds the rename done

    def _store(self, name: str) -> None:
        workspace = self.controller.workspace
        assert workspace.project is not None
        try:
            rename_cluster(
                workspace.project, self.version, self.label, name, stage_key=self.key, stage=self.stage
            )
        except StrataError as err:
            workspace.show_error(err)
            return
        if workspace.version_id == self.version:
            workspace.state.refresh_clusters()

    def redo(self) -> None:
        if self._stored:
            self._stored = False
            return
        self._store(self.new)

    def undo(self) -> None:
        self._store(self.old)


class CurationController(QObject):
    """Owns the error-analysis views and the undo stack of the workspace."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.undo_stack = QUndoStack(self)
        selection = workspace.selection
        self.errors = ErrorPanel(selection)
        self.confusion = ConfusionView(selection)
        self.inspector = RowInspector(selection)
        self.tags = TagsPanel(list(HUMAN_KINDS))
        self.review = ReviewPanel()
        self.errors.colourByTag.connect(lambda tag: workspace.colour_map(f"tag:{tag}"))
        self.tags.createRequested.connect(self.create)
        self.tags.applyRequested.connect(self.apply)
        self.tags.removeRequested.connect(
            lambda tag, note: self.change(tag, selection.row_ids.tolist(), note, False)
        )
        self.review.rowShown.connect(lambda row: selection.set([row], source=self.review))
        self.review.decisionRequested.connect(self.decide)
        self.review.backRequested.connect(self.back)
        self.review.tagRequested.connect(
            lambda row: self.tags.current() and self.change(self.tags.current(), [row], "review", True)
        )
        self.review.saveRequested.connect(self.save_review)
        self.review.queueRequested.connect(self.review_tag)
        workspace.state.events.connect(
            "version", lambda frame, dataset_changed: self.set_frame(frame), later=True
        )
        workspace.state.events.connect("tags", self._on_tags)

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Follow the version the window shows."""
        self.undo_stack.clear()
        for view in (self.errors, self.confusion, self.inspector):
            view.set_frame(frame)
        project = self.workspace.project
        self.tags.set_tags(list_tags(project) if project else [])
        queue = (
            ReviewQueue.for_tag(project, frame.version_id, row_tags=frame.tags) if project and frame else None
        )
        self.review.set_queue(queue, frame)

    def review_tag(self, tag: str) -> None:
        """Review the rows carrying ``tag``, highest score first."""
        project, frame = self.workspace.project, self.workspace.frame
        if project is not None and frame is not None:
            queue = ReviewQueue.for_tag(project, frame.version_id, tag, row_tags=frame.tags)
            self.review.set_queue(queue, frame)

    def _on_tags(self, frame: ViewFrame) -> None:
        """The version's tags changed: every view that lists or counts them follows."""
        project = self.workspace.project
        self.errors.set_frame(frame)
        self.tags.set_tags(list_tags(project) if project else [])
        self.inspector.show_row(self.inspector.row_id)
        self.review.set_tag_names(frame.tag_names())
        mode = self.workspace.map_colour_mode()
        if mode.startswith("tag:"):
            self.workspace.colour_map(mode)

    def decide(self, decision: str, label: str | None) -> None:
        """Store a review decision on the row under review and show the next."""
        queue = self.review.queue
        if queue is None:
            return
        try:
            queue.decide(decision, label)
        except StrataError as err:
            self.workspace.show_error(err)
            return
        self.review.refresh()
        self.workspace.state.review_changed()

    def back(self) -> None:
        """Return to the previous row of the review."""
        if self.review.queue is not None:
            self.review.queue.back()
            self.review.refresh()

    def rename_cluster(self, label: int, name: str, clustering: str = "cluster") -> None:
        """Store a cluster's new name (undoable) and show it everywhere; ``clustering`` is the stage of
        the clustering it belongs to (``cluster`` or ``cluster_sphere``)."""
        project, version = self.workspace.project, self.workspace.version_id
        if project is None or version is None:
            return
        stage = latest_stage(project, version, clustering)
        key = stage.key if stage is not None else None
        try:
            old = rename_cluster(project, version, label, name, stage_key=key, stage=clustering)
        except StrataError as err:
            self.workspace.show_error(err)
            self.workspace.state.refresh_clusters()  # the view shows the stored name again
            return
        self.workspace.state.refresh_clusters()
        frame = self.workspace.frame
        listed = frame.cluster_list(clustering) if frame else []
        new = next((c.name for c in listed if c.label == label), name)
        if new != old and key is not None:
            self.undo_stack.push(RenameCluster(self, version, label, (old, new), (clustering, key)))
            self.workspace.notify(f"Cluster {label} is now '{new}' (Ctrl+Z undoes).")

    def create(self, name: str, colour: str, description: str, kind: str) -> None:
        """Define a new tag and choose it."""
        if self.workspace.project is None:
            return
        try:
            create_tag(self.workspace.project, name, colour, description, kind)
        except StrataError as err:
            self.workspace.show_error(err)
            return
        self.tags.set_tags(list_tags(self.workspace.project))
        self.tags.choose(name.strip())
        self.workspace.notify(f"Created the tag '{name.strip()}'; Ctrl+T tags the selection with it.")

    def apply(self, tag: str, scope: str, note: str) -> None:
        """Tag the selection, or every row the table's search matches, in one undoable action."""
        if scope == "filter":
            rows = self.workspace.filtered_rows()
        else:
            rows = self.workspace.selection.row_ids.tolist()
        self.change(tag, rows, note, True)

    def change(self, tag: str, rows: list[int], note: str, apply: bool) -> None:
        """Push one tag change on the undo stack (it runs at once)."""
        if not rows or self.workspace.version_id is None:
            return
        try:
            self.undo_stack.push(TagCommand(self, tag, [int(r) for r in np.unique(rows)], note, apply))
        except StrataError as err:
            self.workspace.show_error(err)

    def save_review(self) -> None:
        """Store the review's corrections as a new version (in a job: it copies the version's rows,
        runs and map) and show it."""
        queue = self.review.queue
        if queue is None:
            return
        count = len(queue.corrections())
        self.review.save.setEnabled(False)

        def work(progress: JobProgress) -> int:
            progress.message(f"Saving {count:,} correction(s) as a new version")
            return queue.save()

        def done(version: int) -> None:
            self.workspace.show_version(version)
            self.workspace.notify(f"Saved {count:,} correction(s) as a new version.")

        def failed(error: Exception) -> None:
            self.review.refresh()
            self.workspace.show_error(error)

        self.workspace.jobs.submit("Saving corrections", work, done, failed, lane="pipeline")
