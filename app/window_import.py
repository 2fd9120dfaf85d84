"""Getting files into the main window: the import dialog, the import job, and dropping files on it
(a project opens, a data file goes to the import dialog). Mixed into the window before
``QMainWindow``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QDragEnterEvent, QDropEvent

from analysis.ingest.importer import ImportResult, import_dataset
from storage.project import Project
from storage.readers import FORMATS
from widgets.import_dialog import ImportDialog, ImportRequest

if TYPE_CHECKING:
    from app.jobs import JobProgress, JobRunner


class WindowImport:
    """Import and drag-and-drop for the main window, whose project and job runner it uses."""

    project: Project | None
    jobs: JobRunner
    _guard: Callable[[Any], None]
    _set_project: Callable[[Project], None]
    show_version: Callable[[int | None], None]
    show_error: Callable[[Exception], None]
    open_project: Callable[[str | Path | None], None]
    notify: Callable[[str], None]

    def import_dialog(self, path: str | Path | None = None) -> None:
        """Ask for a file and its role mapping, then import it."""
        dialog = ImportDialog(path, self)  # type: ignore[arg-type]  # mixed into a QMainWindow
        if dialog.exec():
            self.import_file(dialog.request())

    def import_file(self, request: ImportRequest) -> None:
        """Import a file as a new dataset in a job (creating a project beside it if none is open)."""
        if self.project is None:
            target = request.path.with_suffix(".strata")
            self._guard(lambda: self._set_project(Project.open_or_create(target)[0]))
            if self.project is None:
                return
        project = self.project

        def work(_progress: JobProgress) -> ImportResult:
            return import_dataset(
                project,
                request.path,
                request.roles,
                name=request.name,
                encoding=request.encoding,
                outputs_path=request.outputs_path,
                label_map=request.label_map,
                annotation=request.annotation,
            )

        self.jobs.submit(
            f"Importing {request.path.name}", work, self._imported, self.show_error, lane="pipeline"
        )

    def _imported(self, result: ImportResult) -> None:
        self.show_version(result.version_id)
        said = [f"{result.annotations:,} annotations stored"] if result.annotations else []
        if said or result.notes:
            self.notify("; ".join([*said, *result.notes]))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(Path(u.toLocalFile()).suffix.lower() in {*FORMATS, ".strata"} for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = Path(event.mimeData().urls()[0].toLocalFile())
        if path.suffix == ".strata":
            self.open_project(path)
        else:
            self.import_dialog(path)
