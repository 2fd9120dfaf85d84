"""Stage ``tag``: every automatic error mode (:mod:`analysis.errors.modes`) scored on every row,
written as row tags with the stage key; a new tag run replaces the version's earlier automatic tags."""

from __future__ import annotations

from typing import Any

from analysis.errors.registry import tag_styles
from analysis.errors.tagging import TagRun, tag_rows
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.keys import spec_params
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import Stage, register
from analysis.progress import Progress
from storage.project import Project
from storage.stage_outputs import StageRecord
from storage.tags import replace_auto_tags


def params(spec: PipelineSpec, inputs: StageInputs) -> dict[str, Any]:
    return spec_params(spec.tag) | {"run_id": inputs.run_id()}


def run(spec: PipelineSpec, inputs: StageInputs, progress: Progress) -> TagRun:
    return tag_rows(spec.tag, inputs, progress)


def write(project: Project, record: StageRecord, result: TagRun) -> None:
    replace_auto_tags(project, record, result.batches, result.notes, tag_styles())


def describe(result: TagRun) -> str:
    counts = ", ".join(f"{b.mode} {b.rows.size:,}" for b in result.batches if b.rows.size)
    return counts or "no error modes found"


STAGE = register(Stage("tag", "cluster", False, params, run, write, describe))
