"""The neighbours stage on Ray: exact search cut into shards on the workers, or one node's search,
registered under the local searches' names (:func:`ray_searches`).

Exact search puts the vectors in the object store once (each node fetches them once), runs
:func:`analysis.map.knn_shards.shard_topk` on shards of the base rows as Ray tasks and merges their
top-k answers here as they finish, checking Cancel between them. The approximate methods (HNSW,
NN-descent) build one index over every row, which does not split: they run as one task on the largest
node, with all its CPUs. Ray runs a task again when its worker dies.
"""

from __future__ import annotations

import itertools
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.engines.ray_cluster import Cluster
from analysis.map.knn_shards import cosine_distances, merge_topk, shard_topk
from analysis.map.neighbours import NEIGHBOUR_METHODS, Search
from analysis.progress import NullProgress, Progress, check_cancel

# A shard of fewer rows than this costs more in scheduling than it saves.
MIN_SHARD_ROWS = 1000
WAIT_SECONDS = 0.25


def _shard(vectors: NDArray[np.float32], start: int, stop: int, k: int, device: str) -> Any:
    """shard_topk without its optional progress (a task reports by finishing), which Ray's typed
    ``remote`` cannot take."""
    return shard_topk(vectors, start, stop, k, device)


def _whole(vectors: NDArray[np.float32], method: str, k: int) -> Any:
    return NEIGHBOUR_METHODS[method](np.array(vectors), k, NullProgress(), "cpu")


def ray_searches(cluster: Cluster) -> dict[str, Search]:
    """The neighbour searches of :data:`analysis.map.neighbours.NEIGHBOUR_METHODS`, under the same names,
    run on ``cluster`` (for :func:`analysis.map.neighbours.search_graph`).

    Exact search is cut into shards of the base rows, one task each (one GPU each on ``cuda``,
    float16 products); the approximate methods run as one task on the largest node, with all its CPUs.
    Each search advances ``progress`` per task finished and checks Cancel every :data:`WAIT_SECONDS`;
    a cancelled or failed search cancels the cluster's tasks it started.
    """
    return {
        "exact": partial(_sharded_exact, cluster),
        **{method: partial(_one_node, cluster, method) for method in NEIGHBOUR_METHODS if method != "exact"},
    }


def _sharded_exact(
    cluster: Cluster, vectors: NDArray[np.float32], k: int, progress: Progress, device: str
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    import ray

    n = vectors.shape[0]
    gpu = device.startswith("cuda")
    shards = max(1, min(2 * (cluster.gpus if gpu else cluster.cpus), n // MIN_SHARD_ROWS))
    bounds = np.linspace(0, n, shards + 1).astype(int)
    shared = ray.put(vectors)
    shard = ray.remote(_shard).options(num_cpus=1, num_gpus=1 if gpu else 0)
    pending = [shard.remote(shared, int(a), int(b), k, device) for a, b in itertools.pairwise(bounds)]
    indices, similarities = _gather(pending, progress, merge_topk)
    return indices, cosine_distances(similarities)


def _one_node(
    cluster: Cluster, method: str, vectors: NDArray[np.float32], k: int, progress: Progress, _device: str
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    import ray

    whole = ray.remote(_whole).options(num_cpus=cluster.largest_node_cpus)
    indices, distances = _gather([whole.remote(ray.put(vectors), method, k)], progress, None)
    return indices, distances


def _gather(pending: list[Any], progress: Progress, merge: Any) -> Any:
    """The tasks' answers merged as they finish (``merge`` of two answers; None: one task)."""
    import ray

    progress.total(len(pending))
    best = None
    try:
        while pending:
            check_cancel(progress)
            done, pending = ray.wait(pending, num_returns=1, timeout=WAIT_SECONDS)
            for ref in done:
                found = ray.get(ref)
                best = found if best is None else merge(*best, *found)
                progress.advance(1)
    finally:
        for ref in pending:  # cancelled, or failed: stop what is still running
            ray.cancel(ref, force=True)
    return best
