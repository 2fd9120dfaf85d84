"""Versions in the window: the diff and drift views, fed from the project and linked to the selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from PySide6.QtCore import QObject

from analysis.catalog import list_versions
from analysis.diff import diff_versions
from analysis.drift import default_columns, drift_report
from analysis.drift_time import metrics_over_time
from analysis.slices.filters import evaluate, filter_table
from analysis.view_frame import ViewFrame, load_view_frame
from storage.errors import StrataError
from widgets.diff_view import DiffView
from widgets.drift_view import DriftView

if TYPE_CHECKING:
    from app.main_window import MainWindow


class VersionsController(QObject):
    """Runs diffs and drift reports for the window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.diff_view = DiffView()
        self.drift_view = DriftView()
        self.diff_view.compareRequested.connect(self.compare)
        self.diff_view.selectKeys.connect(self.select_keys)
        self.drift_view.runRequested.connect(self.drift)

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Offer the project's versions, the shown one first choice."""
        project = self.window.project
        versions = (
            [(v.version_id, f"{v.dataset}:{v.number}") for v in list_versions(project)] if project else []
        )
        current = frame.version_id if frame else None
        self.diff_view.set_versions(versions, current)
        self.drift_view.set_versions(versions, current)

    def compare(self, from_version: int, to_version: int) -> None:
        """Diff two versions into the diff view."""
        if self.window.project is None:
            return
        try:
            self.diff_view.show_diff(diff_versions(self.window.project, from_version, to_version))
        except StrataError as err:
            self.window.show_error(err)

    def select_keys(self, keys: list[str]) -> None:
        """Select the shown version's rows with these keys."""
        frame = self.window.frame
        if frame is not None:
            mask = frame.rows["_row_key"].is_in(keys).to_numpy()
            self.window.selection.set(np.flatnonzero(mask), source=self)

    def drift(self, ref_version: int, ref_where: str, cur_version: int, cur_where: str) -> None:
        """Drift of every column between two row sets (versions, windows or slices)."""
        project = self.window.project
        if project is None:
            return
        try:
            sides = []
            for version, where in ((ref_version, ref_where), (cur_version, cur_where)):
                frame = load_view_frame(project, version)
                table = filter_table(frame)
                sides.append((frame, table.filter(pl.Series(evaluate(table, {"where": where or None})))))
            (ref_frame, reference), (_, current) = sides
            columns = default_columns(
                reference,
                current,
                {ref_frame.text_column, ref_frame.roles.get("id"), ref_frame.roles.get("time")},
            )
            if reference.height < 2 or current.height < 2:
                raise StrataError("Both sides need at least two rows; widen the filters.")
            time = ref_frame.roles.get("time")
            timeline = None
            if isinstance(time, str) and time in reference.columns:
                both = (
                    pl.concat([reference, current]).unique("_row_id")
                    if ref_version == cur_version
                    else reference
                )
                timeline = metrics_over_time(both, time, ref_frame.label_column)
            self.drift_view.show_results(
                drift_report(reference, current, columns), reference, current, timeline
            )
        except StrataError as err:
            self.window.show_error(err)
