"""The stage registry: each stage is a name, the stage it reads from, its parameters, a ``run`` that
computes its result and a ``write`` that stores it through ``storage/``.

The runner (:mod:`analysis.pipeline.runner`) is the same for every stage: it builds the key from the
parameters and the upstream key, skips the stage when a result with that key exists, times it, and
hands the result to ``write`` together with the :class:`storage.stage_outputs.StageRecord`. Adding a
stage is adding one module under ``analysis/pipeline/stages/`` that calls :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.progress import Progress
from storage.project import Project
from storage.stage_outputs import StageRecord

if TYPE_CHECKING:
    from analysis.pipeline.inputs import StageInputs
    from analysis.pipeline.spec import PipelineSpec


@dataclass(frozen=True)
class Stage:
    """One pipeline stage.

    Attributes
    ----------
    name : str
        The stage's name, as the CLI and the cache know it.
    upstream : str or None
        The stage whose output this one reads (None: the version's rows).
    needs_text : bool
        Whether the stage needs a text column; a stage that does not falls back to the version's
        content fingerprint as its upstream key when there is no text.
    params : callable
        ``params(spec, inputs) -> dict``: the parameters that go into the cache key.
    run : callable
        ``run(spec, inputs, progress) -> result``; checks ``progress.cancelled()`` between batches.
    write : callable
        ``write(project, record, result)``: stores the record and the result in one transaction.
    describe : callable
        ``describe(result) -> str``: one line for reports.
    """

    name: str
    upstream: str | None
    needs_text: bool
    params: Callable[[PipelineSpec, StageInputs], dict[str, Any]]
    run: Callable[[PipelineSpec, StageInputs, Progress], Any]
    write: Callable[[Project, StageRecord, Any], None]
    describe: Callable[[Any], str]


REGISTRY: dict[str, Stage] = {}


def register(stage: Stage) -> Stage:
    """Add a stage to the registry."""
    if stage.name in REGISTRY:
        raise ValueError(f"Stage '{stage.name}' is registered twice.")
    REGISTRY[stage.name] = stage
    return stage


def pipeline_order() -> tuple[str, ...]:
    """The registered stages, each after the stage it reads from.

    Raises
    ------
    ValueError
        When a stage reads from a stage that is not registered (or the reads form a cycle).
    """
    order: list[str] = []
    waiting = dict(REGISTRY)
    while waiting:
        ready = [n for n, s in waiting.items() if s.upstream is None or s.upstream in order]
        if not ready:
            raise ValueError(f"Stages {sorted(waiting)} read from stages that are not registered.")
        for name in ready:
            order.append(name)
            del waiting[name]
    return tuple(order)
