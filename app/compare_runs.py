"""Compare runs in the window: the tab follows the shown version (only while in view) and selects the
regressions the user picks, in every view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from analysis.generative.overview import runs_overview
from app.jobs import JobProgress
from widgets.compare_runs_view import CompareRunsView

if TYPE_CHECKING:
    from app.workspace import Workspace


class CompareRunsController(QObject):
    """Owns ``view`` (the Compare runs tab)."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.view = CompareRunsView()
        self._frame: Any = None
        self._stale = True
        self._runs: tuple[str | None, str | None] = (None, None)
        self.view.compareRequested.connect(self.compare)
        self.view.rowsPicked.connect(lambda rows: workspace.state.selection.set(rows, self.view))
        self.view.shown.connect(lambda: self._stale and self.refresh())
        workspace.state.events.connect(
            "version", lambda frame, dataset_changed: self.set_frame(frame), later=True
        )

    def set_frame(self, frame: Any) -> None:
        """Follow the shown version (read when the tab is in view)."""
        self._frame, self._stale = frame, True
        if self.view.isVisible():
            self.refresh()

    def compare(self, run_a: str, run_b: str) -> None:
        """Compare ``run_b`` with ``run_a``."""
        self._runs = (run_a, run_b)
        self.refresh()

    def refresh(self) -> None:
        """Read the leaderboard and the comparison in a job."""
        project, frame = self.workspace.project, self._frame
        self._stale = False
        if project is None or frame is None:
            self.view.clear()
            return
        run_a, run_b = self._runs

        def work(progress: JobProgress) -> dict[str, Any]:
            progress.message("Comparing runs")
            return runs_overview(project, frame, run_a, run_b)

        def done(result: dict[str, Any]) -> None:
            if frame is self._frame:
                self.view.show_overview(result)

        self.workspace.jobs.submit("Compare runs", work, done, self.workspace.show_error, lane="compare")
