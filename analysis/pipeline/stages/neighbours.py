"""Stage ``neighbours``: the k-nearest-neighbour graph of the vectors (:mod:`analysis.map.neighbours`),
computed by the run's engine (this process or a Ray cluster)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import Stage, register
from analysis.progress import Progress
from storage.project import Project
from storage.stage_outputs import StageRecord, write_neighbours


@dataclass(frozen=True)
class Graph:
    """int32 neighbour indices and float32 cosine distances, shape (n, k), and the method used."""

    indices: NDArray[np.int32]
    distances: NDArray[np.float32]
    method: str


def params(spec: PipelineSpec, _inputs: StageInputs) -> dict[str, Any]:
    return {"k": spec.neighbours.k, "method": spec.neighbours.method}


def run(spec: PipelineSpec, inputs: StageInputs, progress: Progress) -> Graph:
    idx, dist, method = inputs.engine.knn(inputs.vectors(), spec.neighbours, progress)
    inputs.remember("neighbours", (idx, dist))
    return Graph(idx, dist, method)


def write(project: Project, record: StageRecord, result: Graph) -> None:
    write_neighbours(project, record, result.indices, result.distances, result.method)


def describe(result: Graph) -> str:
    return f"{result.method} k={result.indices.shape[1]}"


STAGE = register(Stage("neighbours", "embed", True, params, run, write, describe))
