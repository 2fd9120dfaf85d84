"""Stage ``cluster``: HDBSCAN on the map, clusters named by keywords, each with its error rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.map.cluster_table import named_clusters
from analysis.map.clustering import hdbscan_labels, resolved_min_cluster_size, resolved_min_samples
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.keys import spec_params
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import Stage, register
from analysis.progress import Progress
from storage.project import Project
from storage.stage_outputs import NewCluster, StageRecord, write_clustering


@dataclass(frozen=True)
class Clusters:
    """Each row's label (int64, -1 for noise), the clusters to store, the method and the run used."""

    labels: NDArray[np.int64]
    clusters: list[NewCluster]
    method: str
    run_id: int | None


def params(spec: PipelineSpec, inputs: StageInputs) -> dict[str, Any]:
    return spec_params(spec.cluster) | {"run_id": inputs.run_id()}


def run(spec: PipelineSpec, inputs: StageInputs, progress: Progress) -> Clusters:
    labels = hdbscan_labels(inputs.coords(), spec.cluster, progress)
    clusters = named_clusters(labels, inputs.texts(), inputs.wrong())
    size = resolved_min_cluster_size(spec.cluster, len(labels))
    samples = resolved_min_samples(spec.cluster, len(labels))
    method = f"hdbscan(min_cluster_size={size}, min_samples={samples}, {spec.cluster.backend})"
    return Clusters(labels, clusters, method, inputs.run_id())


def write(project: Project, record: StageRecord, result: Clusters) -> None:
    noise = int((result.labels < 0).sum())
    write_clustering(project, record, result.method, result.run_id, noise, result.clusters)


def describe(result: Clusters) -> str:
    return f"{len(result.clusters)} clusters, {int((result.labels < 0).sum()):,} noise rows"


STAGE = register(Stage("cluster", "project", True, params, run, write, describe))
