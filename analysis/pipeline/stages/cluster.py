"""Stage ``cluster``: HDBSCAN on the map, clusters named by keywords, each with its error rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.map.clustering import cluster_error_rates, hdbscan_labels, resolved_min_cluster_size
from analysis.map.keywords import cluster_keywords, cluster_name
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
    rates = cluster_error_rates(labels, inputs.wrong())
    keywords = cluster_keywords(inputs.texts(), labels)
    clusters = [
        NewCluster(
            label,
            cluster_name(keywords.get(label, []), label),
            keywords.get(label, []),
            np.flatnonzero(labels == label),
            rate,
        )
        for label, rate in rates.items()
    ]
    size = resolved_min_cluster_size(spec.cluster, len(labels))
    return Clusters(labels, clusters, f"hdbscan(min_cluster_size={size})", inputs.run_id())


def write(project: Project, record: StageRecord, result: Clusters) -> None:
    noise = int((result.labels < 0).sum())
    write_clustering(project, record, result.method, result.run_id, noise, result.clusters)


def describe(result: Clusters) -> str:
    return f"{len(result.clusters)} clusters, {int((result.labels < 0).sum()):,} noise rows"


STAGE = register(Stage("cluster", "project", True, params, run, write, describe))
