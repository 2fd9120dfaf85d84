"""Governance in the window: the Governance tab (approval, metadata, KPIs, backlog) fed from the shown
version, the approval and metadata dialogs, and the report. Reads and writes run in the job runner's
``governance`` lane; metadata and backlog edits can be undone."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QDialog, QFileDialog

from analysis.governance.approval import ApprovalOutcome, approve_version
from analysis.governance.backlog import backlog_report
from analysis.governance.kpis import dataset_kpis
from analysis.labeling.gold_report import name_of
from analysis.report.write import write_report
from analysis.view_frame import frame_cache
from app.jobs import JobProgress
from storage.approvals import current_approval
from storage.backlog import set_failure_mode
from storage.dataset_meta import read_meta, set_meta
from storage.errors import StrataError
from storage.tags import create_tag, list_tags
from storage.versions import get_version
from widgets.governance_dialogs import ApproveDialog, MetaDialog
from widgets.governance_view import GovernanceView

if TYPE_CHECKING:
    from app.workspace import Workspace


class Edit(QUndoCommand):
    """A metadata or backlog edit, already stored when pushed; undo stores the values before."""

    def __init__(
        self,
        controller: GovernanceController,
        text: str,
        store: Any,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        super().__init__(text)
        self.controller, self.store, self.before, self.after = controller, store, before, after
        self._stored = True

    def _apply(self, values: dict[str, Any]) -> None:
        self.controller.run_edit(self.text(), lambda: self.store(**values))

    def redo(self) -> None:
        if self._stored:
            self._stored = False
            return
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class GovernanceController(QObject):
    """Owns ``view`` (the Governance tab)."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.view = GovernanceView()
        self.contract_path = ""
        self._shown: int | None = None
        self._stale = True  # what the tab shows is not the shown version's yet
        self.view.approveRequested.connect(self.approve)
        self.view.metaRequested.connect(self.edit_meta)
        self.view.reportRequested.connect(self.report)
        self.view.backlogEdited.connect(self.edit_backlog)
        self.view.backlogAdded.connect(self.add_failure_mode)
        self.view.shown.connect(lambda: self._stale and self.refresh())
        workspace.state.events.connect(
            "version", lambda frame, dataset_changed: self.set_version(frame), later=True
        )

    def set_version(self, frame: Any) -> None:
        """Follow the shown version; its KPIs read every version of the dataset, so only while the tab
        is in view (else when it comes into view)."""
        self._shown = frame.version_id if frame is not None else None
        self._stale = True
        if self.view.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Read the shown version's approval, metadata, KPIs and backlog (in a job)."""
        project, version_id = self.workspace.project, self._shown
        self._stale = False
        if project is None or version_id is None:
            self.view.clear()
            return

        def work(progress: JobProgress) -> dict[str, Any]:
            version = get_version(project, version_id)
            progress.message("Reading KPIs and the backlog")
            approval = current_approval(project, version_id)
            frames = frame_cache(project)  # the KPIs and the backlog read the same versions
            return {
                "version": name_of(version),
                "approval": approval.as_dict() if approval else None,
                "meta": read_meta(project, version.dataset_id).as_dict(),
                "kpis": [k.as_dict() for k in dataset_kpis(project, version.dataset_id, progress, frames)],
                "backlog": [i.as_dict() for i in backlog_report(project, version.dataset_id, frames)],
            }

        def done(result: dict[str, Any]) -> None:
            if version_id != self._shown:
                return
            self.view.show_status(result["version"], result["approval"], result["meta"])
            self.view.show_kpis(result["kpis"])
            self.view.show_backlog(result["backlog"])

        self.workspace.jobs.submit("Governance", work, done, self.workspace.show_error, lane="governance")

    def run_edit(self, what: str, store: Any) -> None:
        """Store an edit in a job, then refresh (the undo commands call this too)."""
        self.workspace.jobs.submit(
            what,
            lambda progress: store(),
            lambda _r: self.refresh(),
            self.workspace.show_error,
            lane="governance",
        )

    def _dataset(self) -> tuple[int, str] | None:
        project, version_id = self.workspace.project, self._shown
        if project is None or version_id is None:
            self.workspace.notify("Show a version first.")
            return None
        version = get_version(project, version_id)
        return version.dataset_id, version.dataset

    def edit_meta(self) -> None:
        """The metadata dialog; the change is stored and can be undone."""
        found = self._dataset()
        if found is None or self.workspace.project is None:
            return
        dataset_id, name = found
        project = self.workspace.project
        before = read_meta(project, dataset_id).as_dict()
        before.pop("stale")
        dialog = MetaDialog(name, before, self.workspace.dialog_parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        after = dialog.values()
        if after == before:
            return

        def store(**values: Any) -> None:
            set_meta(project, dataset_id, **values)

        try:
            set_meta(project, dataset_id, **after)
        except StrataError as err:  # nothing stored
            self.workspace.show_error(err)
            return
        self.workspace.undo_stack.push(Edit(self, f"Edit the metadata of '{name}'", store, before, after))
        self.refresh()

    def edit_backlog(self, tag: str, fields: dict[str, Any]) -> None:
        """Store a backlog edit (undoable)."""
        project = self.workspace.project
        if project is None:
            return
        try:
            before = set_failure_mode(project, tag, **fields).as_dict()
        except StrataError as err:  # nothing stored
            self.workspace.show_error(err)
            return
        before.pop("tag")

        def store(**values: Any) -> None:
            set_failure_mode(project, tag, **values)

        self.workspace.undo_stack.push(Edit(self, f"Edit failure mode '{tag}'", store, before, fields))
        self.refresh()

    def add_failure_mode(self, name: str, link: str) -> None:
        """A new failure-mode tag, optionally defined by a slice or cluster."""
        project = self.workspace.project
        if project is None:
            return

        def store() -> None:
            if name not in {t.name for t in list_tags(project)}:
                create_tag(project, name, kind="failure_mode")
            if link:
                set_failure_mode(project, name, link=link)

        self.run_edit(f"Add failure mode '{name}'", store)
        self.workspace.state.refresh_tags()

    def approve(self, failed: str = "", note: str = "") -> None:
        """The approval dialog; a failing contract asks again for an override reason."""
        project, version_id = self.workspace.project, self._shown
        if project is None or version_id is None:
            self.workspace.notify("Show a version first.")
            return
        name = name_of(get_version(project, version_id))
        dialog = ApproveDialog(name, self.contract_path, failed, self.workspace.dialog_parent)
        dialog.note.setText(note)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.contract_path = dialog.contract.text().strip()
        note, override = dialog.note.text(), dialog.override.text().strip() or None
        contract = self.contract_path or None

        def done(outcome: ApprovalOutcome) -> None:
            if outcome.approved:
                self.workspace.notify(outcome.message)
                self.refresh()
                return
            assert outcome.gate is not None
            problems = ", ".join(c.check for c in outcome.gate.failed + outcome.gate.errors)
            self.approve(failed=problems, note=note)

        self.workspace.jobs.submit(
            f"Approve {name}",
            lambda progress: approve_version(project, version_id, note, contract, override=override),
            done,
            self.workspace.show_error,
            lane="governance",
        )

    def report(self) -> None:
        """Ask where to write the shown version's report, then write it (in a job)."""
        project, version_id = self.workspace.project, self._shown
        if project is None or version_id is None:
            self.workspace.notify("Show a version first.")
            return
        suggested = str(project.path.with_name(project.path.stem + "-report.html"))
        path, _ = QFileDialog.getSaveFileName(
            self.workspace.dialog_parent, "Write the report", suggested, "HTML (*.html)"
        )
        if not path:
            return

        def work(progress: JobProgress) -> list[Path]:
            # the file dialog already asked before replacing a file
            return write_report(project, version_id, path, force=True, progress=progress)

        self.workspace.jobs.submit(
            "Report",
            work,
            lambda files: self.workspace.notify(f"Wrote the report to {files[0]}."),
            self.workspace.show_error,
            lane="governance",
        )
