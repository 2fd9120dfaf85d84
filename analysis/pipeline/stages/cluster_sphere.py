"""Stage ``cluster_sphere``: spherical k-means on the embedding vectors (every row in a cluster),
clusters named by keywords, each with its error rate; stored beside the ``cluster`` stage's HDBSCAN
clustering of the map (:mod:`analysis.map.spherical`)."""

from __future__ import annotations

from typing import Any

from analysis.map.cluster_table import named_clusters
from analysis.map.spherical import resolved_k, spherical_kmeans
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.keys import spec_params
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import Stage, register
from analysis.pipeline.stages.cluster import Clusters, write
from analysis.progress import Progress

NAME = "cluster_sphere"


def params(spec: PipelineSpec, inputs: StageInputs) -> dict[str, Any]:
    # The run is in the key because the error rates stored with the clusters come from it.
    return spec_params(spec.sphere) | {"run_id": inputs.run_id()}


def run(spec: PipelineSpec, inputs: StageInputs, progress: Progress) -> Clusters:
    labels = spherical_kmeans(inputs.vectors(), spec.sphere, progress)
    clusters = named_clusters(labels, inputs.texts(), inputs.wrong())
    k = resolved_k(spec.sphere, len(labels))
    return Clusters(labels, clusters, f"spherical-kmeans(k={k})", inputs.run_id())


def describe(result: Clusters) -> str:
    return f"{len(result.clusters)} clusters on the vectors, every row in one"


# Stored as the cluster stage stores its clustering (no row is noise here, so its noise count is 0).
STAGE = register(Stage(NAME, "embed", True, params, run, write, describe))
