"""Stage ``cluster_sphere``: spherical k-means on the embedding vectors (every row in a cluster),
clusters named by keywords, each with its error rate; stored beside the ``cluster`` stage's HDBSCAN
clustering of the map (:mod:`analysis.map.spherical`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.map.cluster_table import named_clusters
from analysis.map.spherical import resolved_k, spherical_kmeans
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.keys import spec_params
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import Stage, register
from analysis.progress import Progress
from storage.project import Project
from storage.stage_outputs import NewCluster, StageRecord, write_clustering

NAME = "cluster_sphere"


@dataclass(frozen=True)
class SphereClusters:
    """Each row's label (int64, no noise), the clusters to store, the method and the run used."""

    labels: NDArray[np.int64]
    clusters: list[NewCluster]
    method: str
    run_id: int | None


def params(spec: PipelineSpec, inputs: StageInputs) -> dict[str, Any]:
    # The run is in the key because the error rates stored with the clusters come from it.
    return spec_params(spec.sphere) | {"run_id": inputs.run_id()}


def run(spec: PipelineSpec, inputs: StageInputs, progress: Progress) -> SphereClusters:
    labels = spherical_kmeans(inputs.vectors(), spec.sphere, progress)
    clusters = named_clusters(labels, inputs.texts(), inputs.wrong())
    k = resolved_k(spec.sphere, len(labels))
    return SphereClusters(labels, clusters, f"spherical-kmeans(k={k})", inputs.run_id())


def write(project: Project, record: StageRecord, result: SphereClusters) -> None:
    write_clustering(project, record, result.method, result.run_id, 0, result.clusters)


def describe(result: SphereClusters) -> str:
    return f"{len(result.clusters)} clusters on the vectors, every row in one"


STAGE = register(Stage(NAME, "embed", True, params, run, write, describe))
