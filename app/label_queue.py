"""The label queue in the window: the shown version's rows to label next, ranked by an active-learning
strategy in a job and handed to the review panel.

The ranking (:func:`analysis.labeling.active_queue.build_queue`) runs in the job runner's lane
``label_queue``; the rows are stored as rule tags ``to_label`` in rank order with the model's (or the
probe's) top class as the suggestion, and ``reviewReady`` carries the tag for the window to open that
review queue. The review panel labels them (A accepts the suggestion, O another label) and saves
them as the next version; the next pipeline run retrains the probe on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from analysis.labeling.active import DEFAULT_STRATEGY, QUEUE_TAG
from analysis.labeling.active_queue import LabelQueue, QueueSpec, build_queue, send_to_review
from app.jobs import JobProgress
from storage.errors import StrataError

if TYPE_CHECKING:
    from app.workspace import Workspace

DEFAULT_SIZE = 50  # rows per labelling round in the window


class LabelQueueController(QObject):
    """Ranks the shown version's rows to label; emits ``reviewReady(tag)`` once they are queued."""

    reviewReady = Signal(str)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.last: LabelQueue | None = None

    def queue(self, strategy: str = DEFAULT_STRATEGY, size: int = DEFAULT_SIZE) -> None:
        """Rank the shown version's unlabelled rows by ``strategy`` and queue the first ``size`` for
        review, in a job."""
        project, version = self.workspace.project, self.workspace.version_id
        if project is None or version is None:
            self.workspace.show_error(
                StrataError("Open a project and show a version to queue rows to label.")
            )
            return
        spec = QueueSpec(strategy=strategy, size=size)

        def work(progress: JobProgress) -> LabelQueue:
            progress.message(f"Ranking the rows to label ({strategy})")
            queue = build_queue(project, version, spec, progress)
            send_to_review(project, queue)
            return queue

        def done(queue: LabelQueue) -> None:
            self.last = queue
            self.workspace.state.refresh_tags()
            notes = "".join(f" Note: {n}." for n in queue.notes)
            self.workspace.notify(
                f"{len(queue.rows):,} of {queue.candidates:,} rows to label are in the review queue "
                f"'{QUEUE_TAG}' ({strategy}).{notes}"
            )
            self.reviewReady.emit(QUEUE_TAG)

        self.workspace.jobs.submit("Label queue", work, done, self.workspace.show_error, lane="label_queue")
