"""The main window: project panel, map, table and clusters linked by one selection; jobs in the status bar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
)

from analysis.ingest.importer import import_dataset
from analysis.pipeline.runner import PipelineSpec, StageReport, run_pipeline
from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame, load_view_frame
from app.curation import CurationController
from app.jobs import JobProgress, JobRunner
from app.settings import app_settings, recent_projects, remember_project
from app.slicing import SlicingController
from app.versions import VersionsController
from app.window_workspace import WindowWorkspace
from storage.crypto import set_passphrase_provider
from storage.errors import StrataError
from storage.project import Project
from storage.readers import FORMATS
from storage.runs import list_runs
from storage.versions import list_versions
from widgets.clusters_view import ClustersView
from widgets.import_dialog import ImportDialog, ImportRequest
from widgets.job_status import JobStatus
from widgets.map_view import MapView
from widgets.project_panel import ProjectPanel
from widgets.table_view import TableView

if TYPE_CHECKING:
    pass

PROJECT_FILTER = "Strata projects (*.strata);;All files (*)"


class MainWindow(WindowWorkspace, QMainWindow):
    """Strata's main window.

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
        self.project: Project | None = None
        self.version_id: int | None = None
        self.frame: ViewFrame | None = None
        self.last_error = ""
        set_passphrase_provider(self.ask_passphrase)
        self.selection = SelectionModel()
        self.jobs = JobRunner(sync=sync_jobs, parent=self)

        self.map_view = MapView(self.selection)
        self.table_view = TableView(self.selection)
        self.clusters_view = ClustersView(self.selection)
        self.project_panel = ProjectPanel()
        self.project_panel.versionActivated.connect(self.show_version)
        self.curation = CurationController(self, self)
        self.slicing = SlicingController(self, self)
        self.versions = VersionsController(self, self)
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(self.table_view, "Table")
        self.bottom_tabs.addTab(self.curation.confusion, "Confusion matrix")
        self.bottom_tabs.addTab(self.versions.diff_view, "Version diff")
        self.bottom_tabs.addTab(self.versions.drift_view, "Drift")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.map_view)
        splitter.addWidget(self.bottom_tabs)
        self.map_view.rowActivated.connect(lambda _row: self.bottom_tabs.setCurrentWidget(self.table_view))
        splitter.setSizes([560, 300])
        self.setCentralWidget(splitter)
        self._dock("Project", self.project_panel, Qt.DockWidgetArea.LeftDockWidgetArea, 240)
        self.docks = {
            title: self._dock(title, widget, Qt.DockWidgetArea.RightDockWidgetArea, 360)
            for title, widget in (
                ("Clusters", self.clusters_view),
                ("Error modes", self.curation.errors),
                ("Tags", self.curation.tags),
                ("Review", self.curation.review),
                ("Slices", self.slicing.panel),
            )
        }
        for title in ("Error modes", "Tags", "Review", "Slices"):
            self.tabifyDockWidget(self.docks["Clusters"], self.docks[title])
        self.docks["Clusters"].raise_()
        self.docks["Inspector"] = self._dock(
            "Inspector", self.curation.inspector, Qt.DockWidgetArea.RightDockWidgetArea, 360
        )
        self._build_status_bar()
        self._build_menus()
        self.setAcceptDrops(True)
        self.resize(1440, 900)
        self._update_title()
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            self.restoreState(self.settings.value("state"))
        else:  # first start: the map and table get the room, the side panels their useful width
            side = [
                self.docks["Clusters"],
                self.docks["Inspector"],
                self.findChild(QDockWidget, "dock_project"),
            ]
            self.resizeDocks(side, [400, 400, 230], Qt.Orientation.Horizontal)

    # -- construction -------------------------------------------------------------------------
    def _dock(self, title: str, widget: Any, area: Qt.DockWidgetArea, width: int) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        if title in ("Inspector", "Review"):
            # scrolls rather than adding its full height to the window's (which must fit a laptop);
            # not the slice panel, whose word-wrapped labels would make a scroll area take its full
            # preferred height
            scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
            scroll.setWidget(widget)
            widget = scroll
        dock.setWidget(widget)
        dock.setMinimumWidth(width)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        self.job_status = JobStatus(self.statusBar())
        self.job_label, self.cancel_button = self.job_status.label, self.job_status.cancel_button
        self.job_status.cancelRequested.connect(self.jobs.cancel)
        self.jobs.started.connect(self.job_status.started)
        self.jobs.progressed.connect(self._on_job_progress)
        self.jobs.ended.connect(self.job_status.ended)

    def _action(self, menu: Any, text: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&New project…", lambda: self.new_project(), QKeySequence.StandardKey.New)
        self._action(file_menu, "&Open project…", lambda: self.open_project(), QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self._action(file_menu, "&Import dataset…", lambda: self.import_dialog(), "Ctrl+I")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        run_menu = self.menuBar().addMenu("&Pipeline")
        self._action(run_menu, "&Run all stages", self.run_pipeline, "Ctrl+R")
        self._action(run_menu, "&Cancel job", self.jobs.cancel, "Ctrl+.")
        self._action(run_menu, "Re&view label issues", self.start_review, "Ctrl+Shift+R")
        edit_menu = self.menuBar().addMenu("&Edit")
        undo = self.curation.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.curation.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addActions([undo, redo])
        self._action(
            edit_menu,
            "&Tag selection",
            lambda: self.curation.apply(
                self.curation.tags.current(), "selection", self.curation.tags.note.text()
            ),
            "Ctrl+T",
        )
        select_menu = self.menuBar().addMenu("&Selection")
        self._action(select_menu, "&Clear selection", lambda: self.selection.clear(self), "Ctrl+Shift+A")
        self._action(select_menu, "&Rectangle select", lambda: self.map_view.set_select_mode("rect"), "R")
        self._action(select_menu, "&Lasso select", lambda: self.map_view.set_select_mode("lasso"), "L")
        self._action(select_menu, "&Pan", lambda: self.map_view.set_select_mode("pan"), "P")
        self._action(
            select_menu, "&Find text", self.table_view.search.setFocus, QKeySequence.StandardKey.Find
        )
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Strata", self._about)
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in recent_projects(self.settings):
            self._action(self.recent_menu, path, lambda _=False, p=path: self.open_project(p))
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
        if self.project is not None:
            self.project.close()
        self.project = project
        remember_project(self.settings, project.path)
        self._fill_recent()
        versions = list_versions(project)
        self.refresh_project_panel()
        self._update_title()
        self.show_version(versions[-1].version_id if versions else None)

    def refresh_project_panel(self) -> None:
        """Re-read datasets, versions and runs into the project panel."""
        if self.project is None:
            return
        versions = list_versions(self.project)
        runs = {v.version_id: list_runs(self.project, v.version_id) for v in versions}
        self.project_panel.set_versions(versions, runs, self.version_id)

    def show_version(self, version_id: int | None) -> None:
        """Load a version into the map, table and clusters views."""
        self.version_id = version_id
        self.selection.clear(self)
        if self.project is None or version_id is None:
            self.frame = None
            self.map_view.set_frame(None)
            self.curation.set_frame(None)
            self.slicing.set_frame(None)
            self.versions.set_frame(None)
            return
        frame = load_view_frame(self.project, version_id)
        self.frame = frame
        self.table_view.set_frame(frame.rows, frame.text_column)
        self.map_view.set_frame(frame)
        if frame.clusters:
            self.map_view.set_colour_mode("cluster")
        clusters = frame.rows["cluster"] if "cluster" in frame.rows.columns else None
        self.clusters_view.set_clusters(frame.clusters, clusters, frame.run_name is not None)
        self.curation.set_frame(frame)
        self.slicing.set_frame(frame)
        self.versions.set_frame(frame)
        self.job_label.setText(
            f"{frame.rows.height:,} rows" + (f" · run {frame.run_name}" if frame.run_name else "")
        )
        self._update_title()

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

    # -- import and pipeline ------------------------------------------------------------------
    def import_dialog(self, path: str | Path | None = None) -> None:
        """Ask for a file and its role mapping, then import it."""
        dialog = ImportDialog(path, self)
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

        def work(_progress: JobProgress) -> int:
            result = import_dataset(
                project,
                request.path,
                request.roles,
                name=request.name,
                encoding=request.encoding,
                outputs_path=request.outputs_path,
                label_map=request.label_map,
            )
            return result.version_id

        def done(version_id: int) -> None:
            self.version_id = version_id
            self.refresh_project_panel()
            self.show_version(version_id)

        self.jobs.submit(f"Importing {request.path.name}", work, done, self.show_error)

    def run_pipeline(self, spec: PipelineSpec | None = None) -> None:
        """Run embed → neighbours → project → cluster on the shown version, in a job."""
        if self.project is None or self.version_id is None:
            self.show_error(StrataError("Open a project and import a dataset first."))
            return
        project, version = self.project, self.version_id
        reports: list[StageReport] = []

        def work(progress: JobProgress) -> list[StageReport]:
            return run_pipeline(project, version, spec, progress=progress, on_stage=reports.append)

        self.jobs.submit("Pipeline", work, lambda _r: self.show_version(version), self.show_error)

    def start_review(self) -> None:
        """Show the review queue of label issues and give it the keyboard."""
        self.docks["Review"].raise_()
        self.curation.review.setFocus()

    # -- jobs and errors ----------------------------------------------------------------------
    def _on_job_progress(self, generation: int, done: int, total: int, text: str) -> None:
        if generation == self.jobs.generation:  # a replaced job's progress is stale
            self.job_status.progressed(done, total, text)

    def _guard(self, fn: Any) -> None:
        try:
            fn()
        except StrataError as err:
            self.show_error(err)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Strata",
            "Strata — a workbench for data-centric ML.\n\nEverything runs on this machine: Strata opens no "
            "network connection, downloads no model and sends no telemetry.",
        )

    # -- drag and drop, shutdown --------------------------------------------------------------
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

    def closeEvent(self, event: Any) -> None:
        self.jobs.cancel()
        self.jobs.wait(30_000)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState())
        if self.project is not None:
            self.project.close()
        super().closeEvent(event)


def open_window(path: str | Path | None = None, **kwargs: Any) -> MainWindow:
    """Create the main window, opening ``path`` (a project) when given."""
    window = MainWindow(**kwargs)
    if path is not None:
        window.open_project(path)
    return window
