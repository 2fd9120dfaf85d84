"""Annotator agreement in the window: the agreement view, fed from the shown version, linked to the
selection and the review queue.

The measures run in the job runner (lane ``agreement``, so they never cancel a drift or a diff); the
view only draws what comes back. A version without annotations shows why instead of an error. **Send
to review** stores the chosen rows as rule tags ``annotator_disagreement`` (score: the share of
annotators not giving the top label; suggestion: the CROWDLAB consensus) and emits ``reviewReady``
with the tag, for the window to open that review queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from analysis.labeling.agreement_report import AgreementResult, agreement_for_version
from analysis.labeling.latency import LatencyReport, version_latency
from analysis.view_frame import ViewFrame
from app.jobs import JobProgress
from storage.annotations import read_annotations, tag_for_review
from storage.errors import InputError
from storage.versions import get_version
from widgets.agreement_view import AgreementView

if TYPE_CHECKING:
    from app.workspace import Workspace

REVIEW_TAG = "annotator_disagreement"
REVIEW_NOTE = "Annotators disagree: sent from the agreement view (score: share not giving the top label)"


class AgreementController(QObject):
    """Owns the agreement view; emits ``reviewReady(tag)`` once rows are queued for review."""

    reviewReady = Signal(str)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.view = AgreementView()
        self._shown: int | None = None  # the version the view's result belongs to
        self._epoch = 0  # bumped on each version change: older jobs' results are dropped
        self.view.computeRequested.connect(self.compute)
        self.view.rowsSelected.connect(lambda rows: workspace.selection.set(rows, source=self))
        self.view.reviewRequested.connect(self.send_to_review)
        workspace.state.events.connect(
            "version", lambda frame, dataset_changed: self.set_frame(frame), later=True
        )

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Follow the shown version: measure its agreement (in a job) when it is another one."""
        version = frame.version_id if frame is not None else None
        if version == self._shown:
            return
        self._epoch += 1
        self._shown = version
        self.view.clear()
        if version is not None:
            self.compute()

    def compute(self) -> None:
        """Measure the shown version's agreement into the view, in a job."""
        project, version = self.workspace.project, self._shown
        if project is None or version is None:
            return
        epoch = self._epoch

        def work(progress: JobProgress) -> tuple[AgreementResult | str, LatencyReport | str] | str:
            annotations = read_annotations(project, version)  # read once for both reports
            if annotations.is_empty():
                v = get_version(project, version)
                return (
                    f"{v.dataset}:{v.number} has no annotations: import several annotators' labels with "
                    "--annotator-cols (one column each) or --annotator (one row per item × annotator)."
                )
            progress.message("Measuring annotator agreement")
            try:
                result: AgreementResult | str = agreement_for_version(
                    project, version, annotations=annotations
                )
            except InputError as err:  # e.g. one annotator per row: the view says why
                result = str(err)
            try:
                return result, version_latency(project, version, annotations=annotations)
            except InputError as err:  # no label times: the chart says so
                return result, str(err)

        def done(result: tuple[AgreementResult | str, LatencyReport | str] | str) -> None:
            if epoch != self._epoch:
                return
            if isinstance(result, str):
                self.view.clear(result)
                return
            agreement, latency = result
            if isinstance(agreement, str):
                self.view.clear(agreement)
            else:
                self.view.show_result(agreement)
            if isinstance(latency, str):
                self.view.latency.set_report(None, latency)
            else:
                self.view.latency.set_report(latency)

        def failed(error: Exception) -> None:
            if epoch == self._epoch:
                self.workspace.show_error(error)

        self.workspace.jobs.submit("Annotator agreement", work, done, failed, lane="agreement")

    def send_to_review(self, rows: list[int]) -> None:
        """Queue ``rows`` for review with the consensus suggested, in a job; then ``reviewReady``."""
        project, result = self.workspace.project, self.view.result
        if project is None or result is None or not rows:
            return
        ranked = result.disagreements.filter(result.disagreements["row_id"].is_in(rows))
        version = result.version_id

        def work(progress: JobProgress) -> int:
            progress.message(f"Queueing {ranked.height:,} rows for review")
            return tag_for_review(
                project,
                version,
                REVIEW_TAG,
                ranked["row_id"].to_list(),
                ranked["disagreement"].to_list(),
                ranked["consensus"].to_list(),
                description=REVIEW_NOTE,
            )

        def done(count: int) -> None:
            self.workspace.state.refresh_tags()
            self.workspace.notify(f"{count:,} rows the annotators disagree on are in the review queue.")
            self.reviewReady.emit(REVIEW_TAG)

        self.workspace.jobs.submit(
            "Queue for review", work, done, self.workspace.show_error, lane="agreement"
        )
