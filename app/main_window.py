"""The main window: the map and a work area of tabs linked by one selection and one workspace state;
lists docked on the left; jobs in the status bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMainWindow, QMessageBox

from analysis.frame_preview import PREVIEW_ROWS, load_map_preview, preview_colour_mode
from analysis.map_paint import MapPaint, paint_map
from analysis.pipeline.runner import PipelineSpec, StageReport, run_pipeline
from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame, load_view_frame
from analysis.workspace_state import WorkspaceState
from app.agreement import AgreementController
from app.compare_runs import CompareRunsController
from app.curation import CurationController
from app.gold import GoldController
from app.governance import GovernanceController
from app.jobs import JobProgress, JobRunner
from app.label_queue import LabelQueueController
from app.rubric import RubricController
from app.settings import app_settings, recent_projects, remember_project
from app.slicing import SlicingController
from app.versions import VersionsController
from app.window_import import WindowImport
from app.window_layout import build_layout, fit_to
from app.window_menus import add_action, build_menus
from app.window_workspace import WindowWorkspace
from storage.crypto import set_passphrase_provider
from storage.errors import StrataError
from storage.project import Project
from storage.runs import list_runs
from storage.versions import get_version, list_versions
from widgets.clusters_view import ClustersView
from widgets.job_status import JobStatus
from widgets.map_view import MapView
from widgets.project_panel import ProjectPanel
from widgets.runner import Runner
from widgets.table_view import TableView

PROJECT_FILTER = "Strata projects (*.strata);;All files (*)"
LAYOUT_VERSION = 2  # saved dock layouts of older windows (docks on the right) are not restored


class MainWindow(WindowImport, WindowWorkspace, QMainWindow):
    """Strata's main window.

    The state it shows (project, version, frame, selection, tags) lives in a Qt-free
    :class:`WorkspaceState`; views follow its events instead of being refreshed by whoever changed it.

    Parameters
    ----------
    settings : QSettings, optional
        Where recent projects and window state are kept (tests pass a temporary one).
    sync_jobs : bool
        Run jobs in the GUI thread (tests).
    """

    def __init__(self, settings: QSettings | None = None, sync_jobs: bool = False) -> None:
        super().__init__()
        self.settings = settings or app_settings()
        self.state = WorkspaceState()
        self.last_error = ""
        set_passphrase_provider(self.ask_passphrase)
        self.jobs = JobRunner(sync=sync_jobs, parent=self)
        # the views that follow a new version with later=True update one per event-loop turn
        self.state.events.later = self.jobs.defer

        self.map_view = MapView(self.selection)
        self.table_view = TableView(self.selection)
        # the views' heavy work on big versions, each in its own lane (a newer call replaces an older)
        self.table_view.search_runner = self._runner("search", "Searching the texts")
        self.table_view.model.sort_runner = self._runner("sort", "Sorting the table")
        self.map_view.paint_runner = self._runner("paint", "Colouring the map")
        self.clusters_view = ClustersView(self.selection)
        self.project_panel = ProjectPanel()
        self.project_panel.versionActivated.connect(self.show_version)
        self.curation = CurationController(self, self)
        self.rubric = RubricController(self, self.curation, self)
        self.slicing = SlicingController(self, self)
        self.versions = VersionsController(self, self)
        self.agreement = AgreementController(self, self)
        self.agreement.reviewReady.connect(self._review_disagreements)
        self.gold = GoldController(self, self)
        self.governance = GovernanceController(self, self)
        self.compare_runs = CompareRunsController(self, self)
        self.label_queue = LabelQueueController(self, self)
        self.label_queue.reviewReady.connect(self._review_disagreements)
        self.map_view.rowActivated.connect(lambda _row: self.work_tabs.setCurrentWidget(self.table_view))
        self.map_view.exportRequested.connect(lambda: self.export_rows(selection=True))
        self.map_view.tagRequested.connect(self.tag_selection)
        self.clusters_view.renameRequested.connect(
            lambda label, name: self.curation.rename_cluster(label, name, self.clusters_view.stage)
        )
        self.clusters_view.renamable.add("cluster_sphere")
        build_layout(self)
        self._build_status_bar()
        build_menus(self)
        self._fill_recent()
        events = self.state.events
        events.connect("project", lambda project: self.refresh_project_panel())
        events.connect("version", self._on_version)
        events.connect("version", lambda frame, dataset_changed: self.slicing.set_frame(frame), later=True)
        events.connect("version", lambda frame, dataset_changed: self.versions.set_frame(frame), later=True)
        events.connect("tags", self._on_tags)
        events.connect("clusters", self._on_clusters)
        self.setAcceptDrops(True)
        self.resize(1440, 900)
        self._update_title()
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            self.restoreState(self.settings.value("state"), LAYOUT_VERSION)
        else:  # first start: the map and the work area get the room, the list docks their useful width
            fit_to(self, 1440, 900)

    # -- the state the controllers read -------------------------------------------------------
    @property
    def project(self) -> Project | None:
        """The open project."""
        return self.state.project

    @property
    def version_id(self) -> int | None:
        """The shown version."""
        return self.state.version_id

    @property
    def frame(self) -> ViewFrame | None:
        """The shown version's frame."""
        return self.state.frame

    @property
    def selection(self) -> SelectionModel:
        """The one selection every view shares."""
        return self.state.selection

    # -- construction -------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        self.job_status = JobStatus(self.statusBar())
        self.job_label, self.cancel_button = self.job_status.label, self.job_status.cancel_button
        self.job_status.cancelRequested.connect(lambda: self.jobs.cancel())
        self.jobs.started.connect(self.job_status.started)
        self.jobs.progressed.connect(self._on_job_progress)
        self.jobs.ended.connect(self.job_status.ended)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in recent_projects(self.settings):
            add_action(self, self.recent_menu, path, lambda p=path: self.open_project(p))
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    # -- project ------------------------------------------------------------------------------
    def new_project(self, path: str | Path | None = None) -> None:
        """Create a project file (asks where when ``path`` is None)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "New project", "project.strata", PROJECT_FILTER)
            if not path:
                return
        self._guard(lambda: self._set_project(Project.create(Path(path).with_suffix(".strata"))))

    def open_project(self, path: str | Path | None = None) -> None:
        """Open a project file (asks which when ``path`` is None)."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open project", "", PROJECT_FILTER)
            if not path:
                return
        self._guard(lambda: self._set_project(Project.open(path)))

    def _set_project(self, project: Project) -> None:
        self.state.set_project(project)
        remember_project(self.settings, project.path)
        self._fill_recent()
        self._update_title()
        versions = [v.version_id for v in list_versions(project)]
        last = self.settings.value(self._last_version_key())
        chosen = (
            int(last) if last is not None and int(last) in versions else (versions[-1] if versions else None)
        )
        self.show_version(chosen)

    def _last_version_key(self) -> str:
        return f"last_version/{self.project.path if self.project else ''}"

    def refresh_project_panel(self) -> None:
        """Re-read datasets, versions and runs into the project panel."""
        if self.project is None:
            return
        versions = list_versions(self.project)
        runs = {v.version_id: list_runs(self.project, v.version_id) for v in versions}
        self.project_panel.set_versions(versions, runs, self.version_id)

    def show_version(self, version_id: int | None) -> None:
        """Load a version's frame in a job (the window stays responsive) and show it in every view.

        Of a big version the job first reads and paints the map (coordinates and clusters: about a
        second at a million rows) and hands it over to be drawn, then reads the rest (rows and
        predictions, about 7 s at a million rows) for every view.
        """
        project = self.project
        if project is None or version_id is None:
            self.state.show(None, version_id)
            return

        def work(progress: JobProgress) -> ViewFrame:
            progress.message(f"Loading version {version_id}")
            preview = load_map_preview(project, version_id, PREVIEW_ROWS)
            if preview is not None:
                progress.partial((preview, paint_map(preview, preview_colour_mode(preview))))
                progress.message(f"Loading the rows of version {version_id}")
            return load_view_frame(project, version_id, preview=preview)

        def failed(error: Exception) -> None:
            self.state.show(None, version_id)
            self.show_error(error)

        self.jobs.submit(
            "Loading version", work, self.state.show, failed, lane="view", on_partial=self._show_preview
        )

    def _show_preview(self, preview: tuple[ViewFrame, MapPaint]) -> None:
        """Draw the map of the version being loaded (the other views follow with its whole frame)."""
        frame, paint = preview
        self.map_view.set_frame(frame, paint.mode, paint)

    def _runner(self, lane: str, description: str) -> Runner:
        """A :data:`widgets.runner.Runner` running its work as a job in ``lane``."""

        def run(work: Callable[[], Any], done: Callable[[Any], None]) -> None:
            self.jobs.submit(description, lambda _progress: work(), done, self.show_error, lane=lane)

        return run

    def _on_version(self, frame: ViewFrame | None, dataset_changed: bool) -> None:
        self.refresh_project_panel()  # a new version (import, saved review) and which one is current
        if frame is None:
            self.table_view.set_frame(pl.DataFrame(), None)
            self.map_view.set_frame(None)
            self.clusters_view.set_clusters([], None, False)
            self.job_status.set_idle("Ready" if self.project is None else "Nothing shown")
            self._update_title()
            return
        self.settings.setValue(self._last_version_key(), frame.version_id)
        self.table_view.set_frame(frame.rows, frame.text_column)
        self.map_view.set_frame(frame, preview_colour_mode(frame))  # keeps the preview's paint
        self.clusters_view.show_frame(frame)
        version = get_version(self.project, frame.version_id) if self.project else None
        name = f"{version.dataset}:{version.number}" if version else f"version {frame.version_id}"
        self.job_status.set_idle(
            f"{name} · {frame.rows.height:,} rows" + (f" · run {frame.run_name}" if frame.run_name else "")
        )
        self._update_title()

    def _on_tags(self, frame: ViewFrame) -> None:
        self.map_view.refresh_tags(frame)

    def _on_clusters(self, frame: ViewFrame) -> None:
        self.clusters_view.show_frame(frame)  # lists the clustering chosen in its combo box
        self.map_view.refresh_clusters(frame)

    def _update_title(self) -> None:
        name = self.project.path.name if self.project else "no project"
        marks = [
            m
            for m, on in (
                ("encrypted", self.project and self.project.encrypted),
                ("read-only", self.project and self.project.read_only),
            )
            if on
        ]
        self.setWindowTitle(f"Strata — {name}" + (f" ({', '.join(marks)})" if marks else ""))

    def ask_passphrase(self, path: Path) -> str | None:
        """Ask for an encrypted project's passphrase (never stored); None when cancelled."""
        text, ok = QInputDialog.getText(
            self,
            "Encrypted project",
            f"Passphrase for {path.name}:",
            QLineEdit.EchoMode.Password,
        )
        return text if ok and text else None

    # -- pipeline ---------------------------------------------------------------------------------
    def run_pipeline(self, spec: PipelineSpec | None = None) -> None:
        """Run embed → neighbours → project → cluster on the shown version, in a job."""
        if self.project is None or self.version_id is None:
            self.show_error(StrataError("Open a project and import a dataset first."))
            return
        project, version = self.project, self.version_id
        reports: list[StageReport] = []

        def work(progress: JobProgress) -> list[StageReport]:
            return run_pipeline(project, version, spec, progress=progress, on_stage=reports.append)

        self.jobs.submit(
            "Pipeline", work, lambda _r: self.show_version(version), self.show_error, lane="pipeline"
        )

    def start_review(self) -> None:
        """Show the review queue of label issues and give it the keyboard."""
        self.work_tabs.setCurrentIndex(1)
        self.curation.review.setFocus()

    def _review_disagreements(self, tag: str) -> None:
        """Open the review queue of the rows tagged ``tag`` (agreement view, label queue)."""
        self.curation.review_tag(tag)
        self.start_review()

    def tag_selection(self) -> None:
        """Tag the selected rows with the tag chosen in the Tags panel (Ctrl+T)."""
        self.curation.apply(self.curation.tags.current(), "selection", self.curation.tags.note.text())

    def export_rows(self, selection: bool = False) -> None:
        """Export rows with a manifest (Ctrl+E): the selection when asked for or when rows are selected,
        else every row of the shown version."""
        if self.frame is None:
            self.show_error(StrataError("Open a project and show a version to export its rows."))
            return
        if selection or len(self.selection):
            if not len(self.selection):
                self.show_error(StrataError("Nothing is selected; select rows on the map or in the table."))
                return
            keys = self.frame.rows["_row_key"].gather(self.selection.row_ids).to_list()
            self.slicing.export("", row_keys=keys, description=f"{len(keys):,} selected rows")
        else:
            self.slicing.export("")

    # -- jobs and errors ----------------------------------------------------------------------
    def _on_job_progress(self, generation: int, done: int, total: int, text: str) -> None:
        if self.jobs.is_current(generation):  # a replaced job's progress is stale
            self.job_status.progressed(done, total, text)

    def _guard(self, fn: Any) -> None:
        try:
            fn()
        except StrataError as err:
            self.show_error(err)

    def about(self) -> None:
        """Help → About."""
        QMessageBox.about(
            self,
            "About Strata",
            "Strata — a workbench for data-centric ML.\n\nEverything runs on this machine: Strata opens no "
            "network connection, downloads no model and sends no telemetry.",
        )

    # -- shutdown ---------------------------------------------------------------------------------
    def closeEvent(self, event: Any) -> None:
        self.jobs.cancel()
        self.jobs.wait(30_000)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState(LAYOUT_VERSION))
        self.state.set_project(None)
        super().closeEvent(event)


def open_window(path: str | Path | None = None, **kwargs: Any) -> MainWindow:
    """Create the main window, opening ``path`` (a project) when given."""
    window = MainWindow(**kwargs)
    if path is not None:
        window.open_project(path)
    return window
