"""The pipeline runner: the registered stages (embed → neighbours → project → cluster → tag), each
cached by key, resumable and cancellable; the same for the command line and the window's job runner.

A stage runs only when no result with its key (stage, parameters, upstream key) exists; its output and
its record are written in one transaction, so a stage that fails or is cancelled leaves nothing behind
(``embed`` alone keeps its finished chunks, to resume).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import analysis.pipeline.stages  # noqa: F401  (registers the stages)
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import REGISTRY, pipeline_order
from analysis.progress import NullProgress, Progress
from storage.errors import StageInputError
from storage.project import Project
from storage.stage_outputs import StageRecord, find_stage, touch_stage

__all__ = ["STAGES", "PipelineSpec", "StageReport", "run_pipeline"]

STAGES = pipeline_order()
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
    analysis.progress.Cancelled
        When cancelled; finished stages stay cached, the interrupted one leaves nothing.
    """
    unknown = set(stages) - set(STAGES)
    if unknown:
        raise StageInputError(f"Unknown stage(s) {sorted(unknown)}; stages are {', '.join(STAGES)}.")
    progress = progress or NullProgress()
    inputs = StageInputs(project, version_id, spec or PipelineSpec(), progress)
    if inputs.has_text and inputs.version.rows < MIN_ROWS:
        raise StageInputError(
            f"This version has {inputs.version.rows} row(s); the pipeline (neighbours, map, clusters, "
            f"error modes) needs at least {MIN_ROWS}. Import more rows, or look at these in the table."
        )
    try:
        return _run_stages(project, inputs, stages, progress, on_stage)
    finally:
        inputs.engine.close()


def _run_stages(
    project: Project,
    inputs: StageInputs,
    stages: tuple[str, ...],
    progress: Progress,
    on_stage: Callable[[StageReport], None] | None,
) -> list[StageReport]:
    version_id = inputs.version_id
    last = max(STAGES.index(s) for s in stages)
    reports = []
    for name in STAGES[: last + 1]:
        stage = REGISTRY[name]
        if stage.needs_text and not inputs.has_text and "tag" in stages:
            report = StageReport(name, "", True, 0.0, "skipped: no text column")
        else:
            key = inputs.key(name)
            progress.message(f"{name}…")
            if find_stage(project, key) is not None:
                if not project.read_only:  # the views show what this run asked for
                    touch_stage(project, key)
                report = StageReport(name, key, True, 0.0, "cached")
            else:
                start = time.perf_counter()
                result = stage.run(inputs.spec, inputs, progress)
                seconds = time.perf_counter() - start
                record = StageRecord(
                    key, name, version_id, inputs.params(name), inputs.upstream(name), seconds
                )
                stage.write(project, record, result)
                report = StageReport(name, key, False, seconds, stage.describe(result))
        reports.append(report)
        if on_stage:
            on_stage(report)
    return reports
