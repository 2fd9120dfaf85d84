"""Slices in the window: the filter builder, saved slices with metrics, SliceLine, run comparison and
export.

Everything that reads the project or computes runs in the job runner, each kind of work in a lane of
its own (a newer request replaces an older one of the same kind, and never cancels the pipeline, a
drift report or another kind of slice work); a result that arrives after another version was shown
is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication, QMessageBox

from analysis.palette import RGBA, palette_colour
from analysis.progress import Cancelled, check_cancel
from analysis.slices.builder import filter_columns
from analysis.slices.compare import compare_runs
from analysis.slices.discovery import DiscoveredSlice, discover_slices
from analysis.slices.export import export_rows
from analysis.slices.filters import delete_slice, describe, evaluate, filter_table, list_slices, save_slice
from analysis.slices.metrics import SliceMetrics
from analysis.slices.report import SliceReport, slice_report
from analysis.slices.sliceline import SliceLineSpec
from analysis.slices.tokens import export_tokens
from analysis.view_frame import ViewFrame
from storage.approvals import is_approved
from storage.errors import StrataError
from storage.runs import list_runs
from widgets.export_dialog import ExportDialog
from widgets.slice_panel import SlicePanel

if TYPE_CHECKING:
    from app.jobs import JobProgress
    from app.workspace import Workspace
    from storage.project import Project

# One lane per kind of slice work: saving a slice must not cancel a SliceLine search, nor an export.
METRICS, SELECT, SAVE, DISCOVER, COMPARE, EXPORT, EXPORT_TOKENS = (
    "slice-metrics",
    "slice-select",
    "slice-save",
    "slice-discover",
    "slice-compare",
    "export",
    "export-tokens",
)


def _report(
    progress: JobProgress, project: Project, frame: ViewFrame, table: pl.DataFrame
) -> tuple[list[str], SliceReport]:
    """The version's model runs (to compare) and the saved slices' metrics on it (run in a job)."""
    progress.message("Slice metrics")
    runs = [r.name for r in list_runs(project, frame.version_id)]
    return runs, slice_report(frame, table, list_slices(project), per_class=True, progress=progress)


class DeleteSliceCommand(QUndoCommand):
    """Delete a saved slice; undo puts the same filter back under the same name."""

    def __init__(self, controller: SlicingController, name: str) -> None:
        super().__init__(f"Delete slice '{name}'")
        self.controller, self.name = controller, name
        self.spec: dict[str, Any] | None = None

    def redo(self) -> None:
        project = self.controller.workspace.project
        if project is not None:
            self.spec = delete_slice(project, self.name)
            self.controller.panel.message.setText(f"Deleted slice '{self.name}' (Ctrl+Z to undo).")
            self.controller.refresh()

    def undo(self) -> None:
        project = self.controller.workspace.project
        if project is not None and self.spec is not None:
            save_slice(project, self.name, self.spec, None)
            self.controller.panel.message.setText(f"Restored slice '{self.name}'.")
            self.controller.refresh()


class SlicingController(QObject):
    """Connects the slice panel to the project, the shared selection and the export dialog.

    Attributes
    ----------
    table : polars.DataFrame or None
        The shown version's filter table (its columns and one ``tag_<name>`` per tag); rebuilt by
        :meth:`refresh_columns` when the tags change.
    metrics : dict
        Saved slice name → its metrics on the shown version (after the last metrics job).
    report : SliceReport or None
        The last metrics job's result.
    dialog : ExportDialog or None
        The last export dialog opened (on the offscreen platform it is left open, not run).
    """

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.panel = SlicePanel()
        self.table: pl.DataFrame | None = None
        self.metrics: dict[str, SliceMetrics] = {}
        self.report: SliceReport | None = None
        self.last_export: dict[str, Any] | None = None
        self.dialog: ExportDialog | None = None  # the last export dialog opened
        self._epoch = 0  # counts shown versions: a job's result for an earlier one is dropped
        self.panel.applyRequested.connect(self.select_where)
        self.panel.saveRequested.connect(self.save)
        self.panel.sliceChosen.connect(self.choose)
        self.panel.deleteRequested.connect(self.delete)
        self.panel.discoverRequested.connect(self.discover)
        self.panel.exportRequested.connect(self.export)
        self.panel.compareRequested.connect(self.compare)
        workspace.state.events.connect("tags", lambda frame: self.refresh_columns())

    # -- following the shown version ----------------------------------------------------------
    def set_frame(self, frame: ViewFrame | None) -> None:
        """Follow the shown version: the builder's columns, then the runs to compare and the saved
        slices' metrics (in a job)."""
        self._epoch += 1
        self.metrics, self.report = {}, None
        self.panel.show_found([])
        self.panel.show_metrics([])
        self.panel.show_classes(None)
        self.panel.message.setText("")
        self.panel.set_runs([])
        self.refresh_columns()

    def refresh_columns(self, recompute: bool = True) -> None:
        """Re-read the shown frame's columns and tags into the filter table and the builder (call it
        when tags change; the ``tags`` event of the workspace state does), then, with ``recompute``,
        the saved slices' metrics, which may use the tags."""
        frame = self.workspace.frame
        self.table = filter_table(frame) if frame is not None else None
        text_column = frame.text_column if frame is not None else None
        self.panel.set_columns(filter_columns(self.table, text_column) if self.table is not None else [])
        if recompute:
            self.refresh()

    def refresh(self) -> None:
        """Recompute the saved slices' metrics (BH across the slices shown) and re-read the runs, in a
        job."""
        project, frame, table = self.workspace.project, self.workspace.frame, self.table
        if project is None or frame is None or table is None:
            self.metrics, self.report = {}, None
            self.panel.show_metrics([])
            return
        self._submit(
            METRICS, "Slice metrics", lambda progress: _report(progress, project, frame, table), self._show
        )

    def _show(self, result: tuple[list[str], SliceReport]) -> None:
        runs, report = result
        self.report = report
        self.metrics = report.by_name()
        self.panel.show_metrics(report.metrics, report.broken)
        if runs != [self.panel.run_a.itemText(i) for i in range(self.panel.run_a.count())]:
            self.panel.set_runs(runs)

    # -- intents ------------------------------------------------------------------------------
    def select_where(self, where: str) -> None:
        """Select the rows matching the expression everywhere."""
        table = self.table
        if table is None:
            return

        def done(mask: np.ndarray) -> None:
            self.panel.message.setText(f"{int(mask.sum()):,} rows match.")
            self.workspace.selection.set(np.flatnonzero(mask), source=self)

        self._submit(SELECT, "Selecting rows", lambda _p: evaluate(table, {"where": where}), done)

    def choose(self, name: str) -> None:
        """Select a saved slice's rows and show its per-class scores."""
        project, table = self.workspace.project, self.table
        if project is None or table is None:
            return
        self.panel.show_classes(self.metrics.get(name), self._class_colours())

        def work(_progress: JobProgress) -> tuple[dict[str, Any], np.ndarray] | None:
            spec = list_slices(project).get(name)
            return None if spec is None else (spec, evaluate(table, spec))

        def done(result: tuple[dict[str, Any], np.ndarray] | None) -> None:
            if result is not None:
                self.panel.expression.setText(result[0].get("where") or "")
                self.workspace.selection.set(np.flatnonzero(result[1]), source=self)

        self._submit(SELECT, f"Selecting slice '{name}'", work, done)

    def save(self, name: str, where: str, use_selection: bool) -> None:
        """Save the expression (and, for a lasso, the selected row keys) as a named slice."""
        project, table = self.workspace.project, self.table
        if project is None or table is None:
            return
        spec: dict[str, Any] = {"where": where or None}
        if use_selection:
            spec["row_keys"] = table["_row_key"].gather(self.workspace.selection.row_ids).to_list()

        def done(_result: None) -> None:
            self.panel.message.setText(f"Saved slice '{name.strip()}'.")
            self.refresh()

        self._submit(
            SAVE, f"Saving slice '{name.strip()}'", lambda _p: save_slice(project, name, spec, table), done
        )

    def delete(self, name: str) -> None:
        """Delete a saved slice (undoable with the window's undo stack)."""
        if self.workspace.project is not None and self.report is not None and name in self.report.filters:
            self.workspace.undo_stack.push(DeleteSliceCommand(self, name))

    def compare(self, run_a: str, run_b: str) -> None:
        """Show two runs side by side on every saved slice."""
        project, frame = self.workspace.project, self.workspace.frame
        if project is None or frame is None:
            return

        def done(rows: list[dict[str, Any]]) -> None:
            self.panel.set_busy("compare", False)
            self.panel.show_comparison(rows)

        self.panel.set_busy("compare", True)
        self._submit(
            COMPARE,
            "Comparing runs",
            lambda _p: compare_runs(project, frame.version_id, run_a, run_b, list_slices(project)),
            done,
            busy="compare",
        )

    def discover(self) -> None:
        """Run SliceLine on the shown version, in a job (Cancel in the status bar stops it)."""
        frame = self.workspace.frame
        if frame is None:
            return
        spec = SliceLineSpec(alpha=self.panel.alpha.value())

        def done(found: list[DiscoveredSlice]) -> None:
            self.panel.set_busy("discover", False)
            self.panel.show_found(found, spec.alpha)

        self.panel.set_busy("discover", True)
        self._submit(
            DISCOVER,
            "Discovering slices (SliceLine)",
            lambda progress: discover_slices(frame, spec, progress),
            done,
            busy="discover",
        )

    def export(self, where: str, row_keys: list[str] | None = None, description: str | None = None) -> None:
        """Ask for export options and write the matching rows with their manifest (counting the rows
        and writing run as jobs; the dialog waits on neither)."""
        table = self.table
        if self.workspace.project is None or self.workspace.frame is None or table is None:
            return
        spec = {"where": where or None, "row_keys": row_keys}

        project, version = self.workspace.project, self.workspace.frame.version_id

        def ask(counted: tuple[np.ndarray, bool]) -> None:
            mask, approved = counted
            columns = [c for c in table.columns if not c.startswith("_")]
            text = description or describe(spec)
            dialog = ExportDialog(columns, int(mask.sum()), text, self.workspace.dialog_parent, approved)
            self.dialog = dialog
            dialog.optionsChanged.connect(lambda: self._count_tokens(dialog, spec))
            self._count_tokens(dialog, spec)
            if QApplication.platformName() == "offscreen":
                return  # no one to answer it: a test fills self.dialog and calls export_with
            if dialog.exec():
                self.export_with(dialog, where, row_keys)

        self._submit(
            EXPORT,
            "Counting rows to export",
            lambda _p: (evaluate(table, spec), is_approved(project, version)),
            ask,
        )

    def _count_tokens(self, dialog: ExportDialog, spec: dict[str, Any]) -> None:
        """Count the tokens the dialog's options would export, in a job; shown in the dialog."""
        project, frame = self.workspace.project, self.workspace.frame
        if project is None or frame is None:
            return
        options = dialog.options()
        dialog.show_tokens("Counting tokens…")
        self._submit(
            EXPORT_TOKENS,
            "Counting tokens to export",
            lambda _p: export_tokens(project, frame, spec, options).describe(),
            dialog.show_tokens,
            errors=lambda err: dialog.show_tokens(str(err)),
        )

    def export_with(self, dialog: ExportDialog, where: str, row_keys: list[str] | None = None) -> None:
        """Write the export the dialog describes, in a job (split out so tests can drive the dialog)."""
        project, frame = self.workspace.project, self.workspace.frame
        if project is None or frame is None:
            return
        path = dialog.path()
        existing = [p for p in (path, path.with_name(path.name + ".manifest.json")) if p.is_file()]
        if existing and not self._confirm_overwrite(existing):
            self.panel.message.setText("Export cancelled; nothing was written.")
            return
        spec: dict[str, Any] = {"where": where or None}
        if row_keys is not None:
            spec["row_keys"] = row_keys
        options, version = dialog.options(), frame.version_id

        def work(progress: JobProgress) -> dict[str, Any]:
            progress.message(f"Exporting to {path.name}")
            check_cancel(progress)
            return export_rows(project, version, spec, path, options, force=bool(existing))

        def done(manifest: dict[str, Any]) -> None:
            self.last_export = manifest
            text = f"Exported {manifest['rows']:,} rows to {path} with its manifest."
            self.panel.message.setText(text)
            self.workspace.notify(text)

        self._submit(EXPORT, f"Exporting {path.name}", work, done, errors=self.workspace.show_error)

    # -- helpers ------------------------------------------------------------------------------
    def _submit(
        self,
        lane: str,
        description: str,
        work: Callable[[JobProgress], Any],
        done: Callable[[Any], None],
        busy: str | None = None,
        errors: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run ``work`` in the job runner's ``lane``; ``done`` gets its result in the GUI thread unless
        another version was shown meanwhile. A failure is said in the panel (or by ``errors``)."""
        epoch = self._epoch

        def finished(result: Any) -> None:
            if epoch == self._epoch:
                done(result)
            elif busy is not None:
                self.panel.set_busy(busy, False)

        def failed(err: Exception) -> None:
            if busy is not None:
                self.panel.set_busy(busy, False)
            if epoch != self._epoch:
                return
            if isinstance(err, Cancelled):
                self.panel.message.setText("Cancelled; nothing was changed.")
            elif errors is not None:
                errors(err)
            elif isinstance(err, StrataError):
                self.panel.message.setText(str(err))
            else:
                self.workspace.show_error(err)

        self.workspace.jobs.submit(description, work, finished, failed, lane=lane)

    def _class_colours(self) -> dict[str, RGBA]:
        """Each class's project colour (its place in the frame's class order)."""
        frame = self.workspace.frame
        order = frame.class_order if frame is not None else []
        return {name: palette_colour(i) for i, name in enumerate(order)}

    def _confirm_overwrite(self, existing: list[Path]) -> bool:
        """Ask before replacing files (the command line's ``--force``); No is the default."""
        names = "\n".join(str(p) for p in existing)
        answer = QMessageBox.question(
            self.workspace.dialog_parent,
            "Overwrite?",
            f"These files exist and will be replaced:\n{names}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
