"""Stage ``embed``: vectors for every text of the version (only the ones not stored yet are computed).

The one stage that writes while it runs: its chunks are stored as they are made, so a cancelled or
killed run resumes from them (:func:`analysis.map.embed.embed_texts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.map.embed import embed_backend, embed_texts
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import Stage, register
from analysis.progress import Progress
from storage.project import Project
from storage.stage_outputs import StageRecord, write_stage


@dataclass(frozen=True)
class Embedded:
    """The embedding set holding every text's vector, how many texts were embedded now, and where."""

    set_id: int
    embedded: int
    rows: int
    where: str


def params(spec: PipelineSpec, inputs: StageInputs) -> dict[str, Any]:
    """Model, dtype and the resolved backend: vectors of another backend are another embedding set,
    so every stage downstream gets another key; so does a map drawn from a run's responses."""
    inputs.texts()  # fails early, with a clear message, when there is no text
    backend = embed_backend(spec.embed, inputs.embed_device).name
    params: dict[str, Any] = {"model": spec.embed.model, "dtype": inputs.vector_dtype(), "backend": backend}
    if spec.map_from != "prompt":  # the prompts' key stays as it was before responses could be mapped
        params |= {"map_from": spec.map_from, "run_id": inputs.run_id()}
    return params


def run(spec: PipelineSpec, inputs: StageInputs, progress: Progress) -> Embedded:
    hashes = inputs.hashes()
    set_id, embedded, _ = embed_texts(
        inputs.project, inputs.texts(), hashes, spec.embed, progress, inputs.engine
    )
    return Embedded(set_id, embedded, len(hashes), inputs.engine.describe() if embedded else "")


def write(project: Project, record: StageRecord, _result: Embedded) -> None:
    write_stage(project, record)


def describe(result: Embedded) -> str:
    where = f" on {result.where}" if result.where else ""
    return f"{result.embedded:,} texts embedded{where}, {result.rows - result.embedded:,} reused"


STAGE = register(Stage("embed", None, True, params, run, write, describe))
