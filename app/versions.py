"""Versions in the window: the diff and drift views, fed from the project and linked to the selection.

Diffs and drift reports run in the job runner (progress, Cancel, a newer request drops the older
result); the views only draw what comes back. A report belongs to the project and dataset it was
computed for: showing another dataset, or :meth:`VersionsController.clear`, empties both views, and a
job still running for the old one is ignored when it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject

from analysis.drift.charts import DriftCharts, drift_charts
from analysis.drift.overlay import DriftOverlay, drift_overlay
from analysis.drift.report import DriftResult, compute_drift, load_side
from analysis.progress import check_cancel
from analysis.versions.diff import VersionDiff, diff_versions
from analysis.view_frame import ViewFrame
from app.jobs import JobProgress
from storage.errors import StrataError
from storage.versions import list_versions
from widgets.diff_view import DiffView
from widgets.drift_view import DriftView

if TYPE_CHECKING:
    from app.workspace import Workspace


@dataclass(frozen=True)
class DriftOutcome:
    """What a drift job hands the GUI thread: the report, its charts and, when its rows sit on a map,
    the map overlay."""

    result: DriftResult
    charts: DriftCharts
    overlay: DriftOverlay | None


class VersionsController(QObject):
    """Runs diffs and drift reports for the window."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.diff_view = DiffView()
        self.drift_view = DriftView()
        self.overlay: DriftOverlay | None = None
        # what the shown reports belong to: (project path, dataset id); another one clears them
        self._shown_for: tuple[str, int | None] | None = None
        # bumped by clear(): a job submitted before it is stale even if no newer job replaced it
        self._epoch = 0
        self.diff_view.compareRequested.connect(self.compare)
        self.diff_view.selectKeys.connect(self.select_keys)
        self.drift_view.runRequested.connect(self.drift)
        self.drift_view.showOnMap.connect(self.show_drift_on_map)

    def clear(self) -> None:
        """Empty the drift and diff views (no report of what was shown before) and drop the results of
        their jobs still running."""
        self._epoch += 1
        self.overlay = None
        self.drift_view.clear()
        self.diff_view.clear()

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Offer the project's versions, the shown one first choice; clear the views when the shown
        dataset (or project) is another than the one their reports were computed for."""
        project = self.workspace.project
        versions = list_versions(project) if project else []
        dataset = next((v.dataset_id for v in versions if frame and v.version_id == frame.version_id), None)
        shown_for = (str(project.path), dataset) if project is not None else None
        if shown_for != self._shown_for:
            self.clear()
            self._shown_for = shown_for
        choices = [(v.version_id, f"{v.dataset}:{v.number}") for v in versions]
        current = frame.version_id if frame else None
        self.diff_view.set_versions(choices, current)
        self.drift_view.set_versions(choices, current)

    def _current(self, epoch: int) -> bool:
        return epoch == self._epoch

    def compare(self, from_version: int, to_version: int) -> None:
        """Diff two versions into the diff view, in a job."""
        project = self.workspace.project
        if project is None:
            return
        epoch = self._epoch

        def work(progress: JobProgress) -> VersionDiff:
            progress.message("Comparing versions")
            diff = diff_versions(project, from_version, to_version)
            check_cancel(progress)
            return diff

        def done(diff: VersionDiff) -> None:
            if self._current(epoch):
                self.diff_view.show_diff(diff)

        self.workspace.jobs.submit("Version diff", work, done, self._error(epoch))

    def _error(self, epoch: int) -> Callable[[Exception], None]:
        def show(err: Exception) -> None:
            if self._current(epoch):
                self.workspace.show_error(err)

        return show

    def select_keys(self, keys: list[str]) -> None:
        """Select the shown version's rows with these keys."""
        frame = self.workspace.frame
        if frame is not None:
            mask = frame.rows["_row_key"].is_in(keys).to_numpy()
            self.workspace.selection.set(np.flatnonzero(mask), source=self)

    def drift(
        self,
        ref_version: int,
        ref_where: str,
        cur_version: int,
        cur_where: str,
        embeddings: bool,
        every: str,
        diversity: bool = False,
    ) -> None:
        """Drift between two row sets (versions, windows or slices), in a job: loading both sides,
        the tests, the charts and the map overlay; both sides are placed on the shown version's map
        when it has one."""
        project = self.workspace.project
        if project is None:
            return
        shown = self.workspace.frame
        anchor = shown if shown is not None and shown.coords is not None else None
        epoch = self._epoch

        def work(progress: JobProgress) -> DriftOutcome:
            progress.message("Loading the reference rows")
            reference = load_side(project, ref_version, ref_where, "the reference side", shown)
            check_cancel(progress)
            progress.message("Loading the current rows")
            current = load_side(project, cur_version, cur_where, "the current side", reference.frame)
            check_cancel(progress)
            result = compute_drift(
                project,
                reference,
                current,
                anchor=anchor,
                embeddings=embeddings,
                every=every or None,
                progress=progress,
                diversity=diversity,
            )
            check_cancel(progress)
            progress.message("Drawing the charts")
            overlay = None
            if result.density is not None:
                on = anchor if anchor is not None else reference.frame
                overlay = drift_overlay(result, on.rows.height)
            return DriftOutcome(result, drift_charts(result, reference, current), overlay)

        def done(out: DriftOutcome) -> None:
            if self._current(epoch):
                self.overlay = out.overlay
                self.drift_view.show_results(out.result, out.charts)

        self.workspace.jobs.submit("Drift report", work, done, self._error(epoch))

    def show_drift_on_map(self) -> None:
        """Colour the shown map by drift side, over the difference density."""
        overlay, frame = self.overlay, self.workspace.frame
        if overlay is None or frame is None or overlay.version_id != frame.version_id:
            self.workspace.show_error(StrataError("Compute the drift again with this version shown."))
            return
        image = (overlay.image, overlay.extent) if overlay.image is not None and overlay.extent else None
        self.workspace.add_map_colouring(
            "drift", "Drift: reference vs current", overlay.values, (overlay.colours, overlay.legend), image
        )
