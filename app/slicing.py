"""Slices in the window: the filter builder, saved slices with metrics, SliceLine, and export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication, QMessageBox

from analysis.slices.compare import compare_runs
from analysis.slices.discovery import discover_slices
from analysis.slices.export import export_rows
from analysis.slices.filters import delete_slice, evaluate, filter_table, list_slices, save_slice
from analysis.slices.metrics import SliceMetrics
from analysis.slices.report import SliceCodes, metrics_of_slices, slice_codes
from analysis.slices.sliceline import SliceLineSpec
from analysis.view_frame import ViewFrame
from storage.errors import StrataError
from storage.runs import list_runs
from widgets.export_dialog import ExportDialog
from widgets.slice_panel import SlicePanel

if TYPE_CHECKING:
    from app.workspace import Workspace


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
    """Connects the slice panel to the project, the shared selection and the export dialog."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.panel = SlicePanel()
        self.table: pl.DataFrame | None = None
        self.codes: SliceCodes | None = None
        self.metrics: dict[str, SliceMetrics] = {}
        self.last_export: dict[str, Any] | None = None
        self.panel.applyRequested.connect(self.select_where)
        self.panel.saveRequested.connect(self.save)
        self.panel.sliceChosen.connect(self.choose)
        self.panel.deleteRequested.connect(self.delete)
        self.panel.discoverRequested.connect(self.discover)
        self.panel.exportRequested.connect(self.export)
        self.panel.compareRequested.connect(self.compare)

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Follow the shown version: columns for the builder, metrics of the saved slices."""
        self.table = filter_table(frame) if frame is not None else None
        self.codes = None
        if frame is not None and self.table is not None:
            columns = [c for c in self.table.columns if not c.startswith("_") and c != frame.text_column]
            numeric = {c for c in columns if self.table.schema[c].is_numeric()}
            self.panel.set_columns(([frame.text_column] if frame.text_column else []) + columns, numeric)
            self.codes = slice_codes(frame, self.table)
        self.panel.show_found([])
        self.panel.message.setText("")
        project = self.workspace.project
        runs = list_runs(project, frame.version_id) if project is not None and frame is not None else []
        self.panel.set_runs([r.name for r in runs])
        self.refresh()

    def refresh(self) -> None:
        """Recompute the saved slices' metrics (BH across the slices shown)."""
        project, frame = self.workspace.project, self.workspace.frame
        self.metrics = {}
        if project is None or frame is None or self.table is None or self.codes is None:
            self.panel.show_metrics([])
            return
        metrics, broken = metrics_of_slices(
            frame, self.table, self.codes, list_slices(project), per_class=True
        )
        self.metrics = {m.name: m for m in metrics}
        self.panel.show_metrics(metrics, broken)

    def mask(self, where: str) -> np.ndarray | None:
        """Rows matching ``where`` (None, with the reason shown, when it is not valid)."""
        if self.table is None:
            return None
        try:
            return evaluate(self.table, {"where": where})
        except StrataError as err:
            self.panel.message.setText(str(err))
            return None

    def select_where(self, where: str) -> None:
        """Select the rows matching the expression everywhere."""
        mask = self.mask(where)
        if mask is not None:
            self.panel.message.setText(f"{int(mask.sum()):,} rows match.")
            self.workspace.selection.set(np.flatnonzero(mask), source=self)

    def save(self, name: str, where: str, use_selection: bool) -> None:
        """Save the expression (and, for a lasso, the selected row keys) as a named slice."""
        project = self.workspace.project
        if project is None or self.table is None:
            return
        spec: dict[str, Any] = {"where": where or None}
        if use_selection:
            spec["row_keys"] = self.table["_row_key"].to_numpy()[self.workspace.selection.row_ids].tolist()
        if where and self.mask(where) is None:
            return  # the reason is shown
        try:
            save_slice(project, name, spec, self.table)
        except StrataError as err:
            self.panel.message.setText(str(err))
            return
        self.panel.message.setText(f"Saved slice '{name.strip()}'.")
        self.refresh()

    def delete(self, name: str) -> None:
        """Delete a saved slice (undoable with the window's undo stack)."""
        if self.workspace.project is not None and name in list_slices(self.workspace.project):
            self.workspace.undo_stack.push(DeleteSliceCommand(self, name))

    def choose(self, name: str) -> None:
        """Select a saved slice's rows and show its per-class scores."""
        project = self.workspace.project
        if project is None or self.table is None:
            return
        spec = list_slices(project).get(name)
        if spec is None:
            return
        self.panel.expression.setText(spec.get("where") or "")
        mask = self.mask(spec.get("where") or "") if name not in self.metrics else evaluate(self.table, spec)
        if mask is not None:
            self.workspace.selection.set(np.flatnonzero(mask), source=self)
        self.panel.show_classes(self.metrics.get(name))

    def compare(self, run_a: str, run_b: str) -> None:
        """Show two runs side by side on every saved slice."""
        project, frame = self.workspace.project, self.workspace.frame
        if project is None or frame is None:
            return
        try:
            rows = compare_runs(project, frame.version_id, run_a, run_b, list_slices(project))
        except StrataError as err:
            self.panel.message.setText(str(err))
            return
        self.panel.show_comparison(rows)

    def discover(self) -> None:
        """Run SliceLine on the shown version."""
        frame = self.workspace.frame
        if frame is not None:
            self.panel.show_found(discover_slices(frame, SliceLineSpec(alpha=self.panel.alpha.value())))

    def export(self, where: str) -> None:
        """Ask for export options and write the subset with its manifest."""
        project, frame, mask = self.workspace.project, self.workspace.frame, self.mask(where)
        if project is None or frame is None or mask is None or self.table is None:
            return
        columns = [c for c in self.table.columns if not c.startswith("_")]
        dialog = ExportDialog(columns, int(mask.sum()), where or "all rows", self.workspace.dialog_parent)
        if QApplication.platformName() != "offscreen" and not dialog.exec():
            return
        self.export_with(dialog, where)

    def export_with(self, dialog: ExportDialog, where: str) -> None:
        """Write the export the dialog describes (split out so tests can drive the dialog)."""
        project, frame = self.workspace.project, self.workspace.frame
        assert project is not None and frame is not None
        path = dialog.path()
        existing = [p for p in (path, path.with_name(path.name + ".manifest.json")) if p.is_file()]
        if existing and not self._confirm_overwrite(existing):
            self.panel.message.setText("Export cancelled; nothing was written.")
            return
        try:
            self.last_export = export_rows(
                project,
                frame.version_id,
                {"where": where or None},
                path,
                dialog.options(),
                force=bool(existing),
            )
        except StrataError as err:
            self.workspace.show_error(err)
            return
        self.panel.message.setText(
            f"Exported {self.last_export['rows']:,} rows to {dialog.path()} with its manifest."
        )

    def _confirm_overwrite(self, existing: list[Any]) -> bool:
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
