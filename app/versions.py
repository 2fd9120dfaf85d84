"""Versions in the window: the diff and drift views, fed from the project and linked to the selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject

from analysis.drift.report import DriftResult, Side, compute_drift, load_side
from analysis.versions.diff import diff_versions
from analysis.view_frame import ViewFrame
from app.jobs import JobProgress
from storage.errors import StrataError
from storage.versions import list_versions
from widgets.diff_view import DiffView
from widgets.drift_overlay import difference_rgba, side_colours, side_values
from widgets.drift_view import DriftView

if TYPE_CHECKING:
    from app.workspace import Workspace


class VersionsController(QObject):
    """Runs diffs and drift reports for the window."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.diff_view = DiffView()
        self.drift_view = DriftView()
        self.diff_view.compareRequested.connect(self.compare)
        self.diff_view.selectKeys.connect(self.select_keys)
        self.drift_view.runRequested.connect(self.drift)
        self.drift_view.showOnMap.connect(self.show_drift_on_map)

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Offer the project's versions, the shown one first choice."""
        project = self.workspace.project
        versions = (
            [(v.version_id, f"{v.dataset}:{v.number}") for v in list_versions(project)] if project else []
        )
        current = frame.version_id if frame else None
        self.diff_view.set_versions(versions, current)
        self.drift_view.set_versions(versions, current)

    def compare(self, from_version: int, to_version: int) -> None:
        """Diff two versions into the diff view."""
        if self.workspace.project is None:
            return
        try:
            self.diff_view.show_diff(diff_versions(self.workspace.project, from_version, to_version))
        except StrataError as err:
            self.workspace.show_error(err)

    def select_keys(self, keys: list[str]) -> None:
        """Select the shown version's rows with these keys."""
        frame = self.workspace.frame
        if frame is not None:
            mask = frame.rows["_row_key"].is_in(keys).to_numpy()
            self.workspace.selection.set(np.flatnonzero(mask), source=self)

    def drift(
        self, ref_version: int, ref_where: str, cur_version: int, cur_where: str, embeddings: bool, every: str
    ) -> None:
        """Drift between two row sets (versions, windows or slices), in a job; both sides are placed on
        the shown version's map when it has one."""
        project = self.workspace.project
        if project is None:
            return
        shown = self.workspace.frame
        anchor = shown if shown is not None and shown.coords is not None else None

        def work(progress: JobProgress) -> tuple[DriftResult, Side, Side]:
            reference = load_side(project, ref_version, ref_where, "the reference side", shown)
            current = load_side(project, cur_version, cur_where, "the current side", reference.frame)
            result = compute_drift(
                project,
                reference,
                current,
                anchor=anchor,
                embeddings=embeddings,
                every=every or None,
                progress=progress,
            )
            return result, reference, current

        def done(out: tuple[DriftResult, Side, Side]) -> None:
            self.drift_view.show_results(*out)

        self.workspace.jobs.submit("Drift report", work, done, self.workspace.show_error)

    def show_drift_on_map(self) -> None:
        """Colour the shown map by drift side, over the difference density."""
        result, frame = self.drift_view.result, self.workspace.frame
        if result is None or frame is None or result.anchor_version != frame.version_id:
            self.workspace.show_error(StrataError("Compute the drift again with this version shown."))
            return
        assert result.reference_anchor is not None and result.current_anchor is not None
        values = side_values(frame.rows.height, result.reference_anchor, result.current_anchor)
        image = None
        if result.density is not None and result.extent is not None:
            image = (difference_rgba(result.density), result.extent)
        self.workspace.add_map_colouring(
            "drift", "Drift: reference vs current", values, side_colours(values), image
        )
