"""The pipeline: embed → neighbours → project → cluster → tag, each stage cached, resumable and cancellable.

A stage runs only when no result with its key (stage, parameters, input fingerprint) exists; its
outputs and its :class:`storage.schema.StageResult` are written in one transaction, so a stage that
fails or is cancelled leaves nothing behind (``embed`` alone keeps its finished chunks, to resume).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from analysis.errors.tag_stage import tag_stage
from analysis.pipeline.context import PipelineSpec, StageContext
from analysis.pipeline.map_stages import cluster_stage, embed_stage, neighbours_stage, project_stage
from analysis.progress import NullProgress, Progress
from storage.errors import StageInputError
from storage.project import Project

__all__ = ["STAGES", "PipelineSpec", "StageReport", "run_pipeline"]

STAGES = ("embed", "neighbours", "project", "cluster", "tag")
TEXT_STAGES = STAGES[:4]
# A map and clusters need a neighbourhood: fewer rows than this make no map worth the name.
MIN_ROWS = 10


@dataclass(frozen=True)
class StageReport:
    """What a stage did: its key, whether it came from the cache, its wall time and a short detail."""

    stage: str
    key: str
    cached: bool
    seconds: float
    detail: str


def run_pipeline(
    project: Project,
    version_id: int,
    spec: PipelineSpec | None = None,
    stages: tuple[str, ...] = STAGES,
    progress: Progress | None = None,
    on_stage: Callable[[StageReport], None] | None = None,
) -> list[StageReport]:
    """Run the pipeline on a version up to the last stage named in ``stages``.

    Without a text column only ``tag`` can run: the text stages are reported as skipped when ``tag`` is
    asked for, and refused otherwise.

    Parameters
    ----------
    project : storage.project.Project
    version_id : int
    spec : PipelineSpec, optional
        Parameters; defaults everywhere.
    stages : tuple of str
        Subset of :data:`STAGES`; earlier stages the last one depends on run too when not cached.
    progress : analysis.progress.Progress, optional
    on_stage : callable, optional
        Called with each :class:`StageReport` as a stage finishes.

    Returns
    -------
    list of StageReport
        One per stage, in order.

    Raises
    ------
    storage.errors.StageInputError
        When the version has no text column (nothing to embed), fewer than :data:`MIN_ROWS` rows, or a
        stage name is unknown.
    storage.errors.Cancelled
        When cancelled; finished stages stay cached, the interrupted one leaves nothing.
    """
    unknown = set(stages) - set(STAGES)
    if unknown:
        raise StageInputError(f"Unknown stage(s) {sorted(unknown)}; stages are {', '.join(STAGES)}.")
    progress = progress or NullProgress()
    run = StageContext(project, version_id, spec or PipelineSpec(), progress)
    if run.has_text and run.version.row_count < MIN_ROWS:
        raise StageInputError(
            f"This version has {run.version.row_count} row(s); the pipeline (neighbours, map, clusters, "
            f"error modes) needs at least {MIN_ROWS}. Import more rows, or look at these in the table."
        )
    last = max(STAGES.index(s) for s in stages)
    actions: dict[str, Callable[[], str]] = {
        "embed": lambda: embed_stage(run),
        "neighbours": lambda: neighbours_stage(run),
        "project": lambda: project_stage(run),
        "cluster": lambda: cluster_stage(run),
        "tag": lambda: tag_stage(run),
    }
    reports = []
    for stage in STAGES[: last + 1]:
        if stage in TEXT_STAGES and not run.has_text and "tag" in stages:
            report = StageReport(stage, "", True, 0.0, "skipped: no text column")
            reports.append(report)
            if on_stage:
                on_stage(report)
            continue
        key = run.key(stage)
        progress.message(f"{stage}…")
        hit = run.cached(stage)
        if hit is not None:
            report = StageReport(stage, key, True, 0.0, "cached")
        else:
            start = time.perf_counter()
            detail = actions[stage]()
            report = StageReport(stage, key, False, time.perf_counter() - start, detail)
        reports.append(report)
        if on_stage:
            on_stage(report)
    return reports
