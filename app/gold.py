"""Gold sets and contamination in the window: the gold-set panel and the contamination view, fed from
the shown version, linked to the selection.

Every read and check runs in the job runner, in lanes of their own (``gold``, ``contamination``) so
neither cancels the other or the pipeline. The contamination view lists the shown version's stored
``contaminated`` tags when a version is shown; **Check** runs a check against the set named there,
tags the copies and refreshes the tags. The gold panel lists the project's gold sets, draws the
chosen one's report and marks the shown version (or a saved slice of it) as gold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from analysis.labeling.contamination_check import (
    ContaminationResult,
    ContaminationSpec,
    check_contamination,
    read_contamination,
    tag_contamination,
)
from analysis.labeling.gold_changes import mark_gold_set
from analysis.labeling.gold_report import GoldReport, gold_report
from analysis.slices.filters import list_slices
from analysis.slices.row_sets import resolve_row_set, row_set_choices
from analysis.view_frame import ViewFrame
from app.jobs import JobProgress
from storage.gold_sets import list_gold_sets
from storage.versions import get_version
from widgets.contamination_view import ContaminationView, summary
from widgets.gold_view import GoldView

if TYPE_CHECKING:
    import polars as pl

    from app.workspace import Workspace


class GoldController(QObject):
    """Owns ``gold_view`` and ``contamination_view``; emits ``goldMarked(name)`` once a gold set is made."""

    goldMarked = Signal(str)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.gold_view = GoldView()
        self.contamination_view = ContaminationView()
        self._shown: int | None = None  # the version the views belong to
        self._epoch = 0  # bumped on each version change: older jobs' results are dropped
        self.contamination_view.checkRequested.connect(self.check)
        self.contamination_view.rowSelected.connect(lambda row: workspace.selection.set([row], source=self))
        self.gold_view.goldChosen.connect(self.show_gold)
        self.gold_view.markRequested.connect(self.mark)
        self.gold_view.rowSelected.connect(self._select)
        workspace.state.events.connect(
            "version", lambda frame, dataset_changed: self.set_frame(frame), later=True
        )

    def _version_name(self) -> str:
        assert self.workspace.project is not None and self._shown is not None
        v = get_version(self.workspace.project, self._shown)
        return f"{v.dataset}:{v.number}"

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Follow the shown version: its stored copies, the choices, the gold sets (in a job)."""
        version = frame.version_id if frame is not None else None
        if version == self._shown:
            return
        self._epoch += 1
        self._shown = version
        self.contamination_view.clear()
        self.gold_view.clear()
        project = self.workspace.project
        if project is None or version is None:
            return
        epoch = self._epoch

        def work(progress: JobProgress) -> tuple[pl.DataFrame, list[str], list[str], list[str]]:
            progress.message("Reading copies and gold sets")
            golds = [g.name for g in list_gold_sets(project)]
            return (
                read_contamination(project, version),
                row_set_choices(project),
                golds,
                list(list_slices(project)),
            )

        def done(result: tuple[pl.DataFrame, list[str], list[str], list[str]]) -> None:
            if epoch != self._epoch:
                return
            pairs, choices, golds, slices = result
            self.contamination_view.set_choices([c for c in choices if c != self._version_name()])
            if pairs.height:
                self.contamination_view.show_pairs(pairs, summary(pairs, self._version_name()))
            self.gold_view.set_gold_sets(golds)
            self.gold_view.set_slices(slices)
            if golds:
                self.show_gold(self.gold_view.gold.currentText())

        self.workspace.jobs.submit("Copies and gold sets", work, done, self._failed(epoch), lane="gold")

    def _failed(self, epoch: int) -> Callable[[Exception], None]:
        """An error handler that shows errors of jobs of the shown version only."""

        def failed(error: Exception) -> None:
            if epoch == self._epoch:
                self.workspace.show_error(error)

        return failed

    def check(self, against: str, threshold: float, ngram: int) -> None:
        """Check the shown version against ``against``, tag the copies, list them (in a job)."""
        project, version = self.workspace.project, self._shown
        if project is None or version is None:
            return
        epoch, checked = self._epoch, self._version_name()

        def work(progress: JobProgress) -> ContaminationResult:
            rows = resolve_row_set(project, checked)
            other = resolve_row_set(project, against)
            result = check_contamination(project, rows, other, ContaminationSpec(threshold, ngram), progress)
            tag_contamination(project, result)
            return result

        def done(result: ContaminationResult) -> None:
            if epoch != self._epoch:
                return
            self.contamination_view.show_pairs(result.pairs, summary(result.pairs, checked))
            self.workspace.state.refresh_tags()
            self.workspace.notify(
                f"{result.pairs.height:,} rows of {checked} copy rows of {result.against}; "
                "they are tagged 'contaminated'."
            )

        self.workspace.jobs.submit(
            f"Contamination against {against}", work, done, self._failed(epoch), lane="contamination"
        )

    def show_gold(self, name: str) -> None:
        """Draw the report of the gold set ``name`` (in a job)."""
        project = self.workspace.project
        if project is None or not name:
            return
        epoch = self._epoch

        def done(report: GoldReport) -> None:
            if epoch == self._epoch:
                self.gold_view.show_report(report)

        self.workspace.jobs.submit(
            f"Gold set '{name}'",
            lambda progress: gold_report(project, name),
            done,
            self._failed(epoch),
            lane="gold",
        )

    def mark(self, name: str, slice_name: str, note: str) -> None:
        """Mark the shown version (or its rows in ``slice_name``) as the gold set ``name`` (in a job)."""
        project, version = self.workspace.project, self._shown
        if project is None or version is None:
            return
        ref = self._version_name() + (f":{slice_name}" if slice_name else "")
        epoch = self._epoch

        def work(progress: JobProgress) -> tuple[list[str], list[str]]:
            progress.message(f"Freezing {ref} as gold set '{name}'")
            _, notes = mark_gold_set(project, name, resolve_row_set(project, ref, need_text=False), note=note)
            return [g.name for g in list_gold_sets(project)], notes

        def done(result: tuple[list[str], list[str]]) -> None:
            names, notes = result
            self.workspace.notify(" ".join([f"Gold set '{name}' marked from {ref}.", *notes]))
            self.goldMarked.emit(name)
            if epoch == self._epoch:
                self.gold_view.set_gold_sets(names, name)
                self.show_gold(name)

        self.workspace.jobs.submit(
            f"Mark gold set '{name}'", work, done, self.workspace.show_error, lane="gold"
        )

    def _select(self, version_id: int, row_id: int) -> None:
        if version_id == self._shown:
            self.workspace.selection.set([row_id], source=self)
            return
        project = self.workspace.project
        if project is not None:
            v = get_version(project, version_id)
            self.workspace.notify(f"That row is in {v.dataset}:{v.number}; show that version to see it.")
