"""Stage ``project``: the 2-D map (:mod:`analysis.map.projection`).

A version with the same texts in the same order as another version of its dataset (a relabelling
pass) takes that version's map, made with the same model and parameters, so its user keeps the map
they know (and no UMAP run is spent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.map.projection import project_2d
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.keys import spec_params
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import Stage, register
from analysis.progress import Progress
from storage.project import Project
from storage.stage_outputs import StageRecord, find_stage, read_projection_at, stage_records, write_projection
from storage.versions import list_versions, read_rows


@dataclass(frozen=True)
class Map:
    """float32 coordinates of shape (n, 2) and how they were made."""

    coords: NDArray[np.float32]
    method: str


def params(spec: PipelineSpec, _inputs: StageInputs) -> dict[str, Any]:
    return spec_params(spec.project)


def run(spec: PipelineSpec, inputs: StageInputs, progress: Progress) -> Map:
    reused = map_of_same_texts(inputs)
    if reused is None:
        idx, dist = inputs.graph()
        coords, method = project_2d(inputs.vectors(), idx, dist, spec.project, progress)
        reused = Map(coords, method)
    inputs.remember("project", reused.coords)
    return reused


def map_of_same_texts(inputs: StageInputs) -> Map | None:
    """The map of another version of the dataset with the same texts in the same order, made with the
    same embedding model and neighbour and projection parameters; None when there is none."""
    wanted = (inputs.params("project"), inputs.params("neighbours"), inputs.params("embed"))
    ours = inputs.rows["_content_hash"]
    siblings = {
        v.version_id
        for v in list_versions(inputs.project)
        if v.dataset_id == inputs.version.dataset_id
        and v.rows == len(ours)
        and v.version_id != inputs.version_id
    }
    for record in stage_records(inputs.project, stage="project"):
        if record.version_id not in siblings:
            continue
        graph = find_stage(inputs.project, record.input_key)
        embed = find_stage(inputs.project, graph.input_key) if graph is not None else None
        if embed is None or (record.params, graph.params, embed.params) != wanted:  # type: ignore[union-attr]
            continue
        if not read_rows(inputs.project, record.version_id, [])["_content_hash"].equals(ours):
            continue
        found = read_projection_at(inputs.project, record.key)
        if found is not None:
            coords, method = found
            return Map(coords, f"{method} (the map of version {record.version_id}: same texts)")
    return None


def write(project: Project, record: StageRecord, result: Map) -> None:
    write_projection(project, record, result.coords, result.method.split(" ")[0])


def describe(result: Map) -> str:
    return result.method


STAGE = register(Stage("project", "neighbours", True, params, run, write, describe))
