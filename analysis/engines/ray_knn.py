"""The neighbours stage on Ray: exact search cut into shards on the workers, or one node's search.

Exact search puts the vectors in the object store once (each node fetches them once), runs
:func:`analysis.map.knn_shards.shard_topk` on shards of the base rows as Ray tasks and merges their
top-k answers here as they finish, checking Cancel between them. The approximate methods (HNSW,
NN-descent) build one index over every row, which does not split: they run as one task on the largest
node, with all its CPUs. Ray runs a task again when its worker dies.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.engines.ray_cluster import Cluster
from analysis.map.knn_shards import merge_topk, shard_topk
from analysis.map.neighbours import NEIGHBOUR_METHODS, NeighboursSpec, resolve_method
from analysis.progress import NullProgress, Progress, check_cancel

# A shard of fewer rows than this costs more in scheduling than it saves.
MIN_SHARD_ROWS = 1000
WAIT_SECONDS = 0.25


def _shard(vectors: NDArray[np.float32], start: int, stop: int, k: int, device: str) -> Any:
    return shard_topk(vectors, start, stop, k, device)


def _whole(vectors: NDArray[np.float32], method: str, k: int) -> Any:
    return NEIGHBOUR_METHODS[method](np.array(vectors), k, NullProgress(), "cpu")


def knn_on_ray(
    cluster: Cluster, vectors: NDArray[np.float32], spec: NeighboursSpec, progress: Progress, device: str
) -> tuple[NDArray[np.int32], NDArray[np.float32], str]:
    """Each row's k nearest neighbours by cosine distance, computed on ``cluster``.

    Parameters
    ----------
    cluster : Cluster
    vectors : numpy.ndarray
        float32 (n, d), L2-normalised.
    spec : NeighboursSpec
    progress : analysis.progress.Progress
        Advanced per shard merged; cancellation checked every :data:`WAIT_SECONDS`.
    device : str
        ``cpu`` or ``cuda`` (the cluster's GPUs: one per shard, float16 products).

    Returns
    -------
    The same as :func:`analysis.map.neighbours.knn_graph`: int32 (n, k') indices, float32 (n, k')
    cosine distances, the method.

    Raises
    ------
    analysis.progress.Cancelled
        When cancelled (the cluster's tasks are cancelled too).
    storage.errors.StageInputError
        When the method is unknown.
    """
    import ray

    n = vectors.shape[0]
    k = min(spec.k, n - 1)
    method = resolve_method(spec.method, n, device)
    if k < 1:
        return np.zeros((n, 0), np.int32), np.zeros((n, 0), np.float32), method
    shared = ray.put(np.ascontiguousarray(vectors, dtype=np.float32))
    gpu = device.startswith("cuda")
    if method == "exact":
        workers = cluster.gpus if gpu else cluster.cpus
        shards = max(1, min(2 * workers, n // MIN_SHARD_ROWS))
        bounds = np.linspace(0, n, shards + 1).astype(int)
        shard = ray.remote(_shard).options(num_cpus=1, num_gpus=1 if gpu else 0)
        pending = [shard.remote(shared, int(a), int(b), k, device) for a, b in itertools.pairwise(bounds)]
    else:
        whole = ray.remote(_whole).options(num_cpus=cluster.largest_node_cpus)
        pending = [whole.remote(shared, method, k)]
    progress.message(f"Neighbours of {n:,} rows ({method}, {len(pending)} task(s) on {cluster.describe()})")
    progress.total(len(pending))
    best: tuple[NDArray[np.int32], NDArray[np.float32]] | None = None
    try:
        while pending:
            check_cancel(progress)
            done, pending = ray.wait(pending, num_returns=1, timeout=WAIT_SECONDS)
            for ref in done:
                found = ray.get(ref)
                best = found if best is None else merge_topk(*best, *found)
                progress.advance(1)
    finally:
        for ref in pending:  # cancelled, or failed: stop what is still running
            ray.cancel(ref, force=True)
    assert best is not None
    indices, similarities = best
    if method != "exact":  # the one-node search returns distances already
        return indices, similarities, method
    return indices, np.clip(1.0 - similarities, 0.0, 2.0).astype(np.float32), method
