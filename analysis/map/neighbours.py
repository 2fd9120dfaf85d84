"""Stage ``neighbours``: the k-nearest-neighbour graph of normalised vectors (cosine distance).

Methods are registered by name (:data:`NEIGHBOUR_METHODS`) and chosen by :attr:`NeighboursSpec.method`
(part of the stage's cache key): ``exact`` (blocked matrix products, :mod:`analysis.map.knn_shards`;
float16 on the GPU when one is present), ``hnsw`` (faiss's hierarchical navigable small-world graph,
Malkov & Yashunin, TPAMI 2018, on every core) and ``nndescent`` (Dong et al., WWW 2011, through
``pynndescent``). ``auto`` takes exact search on a GPU or up to :data:`EXACT_MAX_ROWS` rows, HNSW above.
On the 100k emoji tweets HNSW over 8-bit codes (rows grouped by a coarse k-means first) reaches
recall@15 0.95 in about 18 s, NN-descent (with a 2k graph) in about 70 s; pynndescent also spends 20-40
s compiling its numba code in every new process and offers no callback (it runs in a child process that
Cancel terminates), while faiss is compiled and is built and searched in blocks between which Cancel is
checked. Exact search on 2 cores takes minutes (benchmarks/bench_scale.py measures all three)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.cancellable import run_cancellable
from analysis.map.device import resolve_device, vector_dtype
from analysis.map.knn_shards import BLOCK_ROWS, cosine_distances, shard_topk
from analysis.progress import Progress, check_cancel
from storage.errors import StageInputError

EXACT_MAX_ROWS = 30_000
# Measured on the 100k emoji tweets (384-d, 8-bit codes, 2 cores): M=32, efConstruction=40, efSearch=72
# reach recall@15 0.953 in 17-18 s counting equidistant rows as found (ann-benchmarks' measure; 0.93 by
# row number: tweets repeat). M=16 stays at 0.85-0.93 whatever the ef; efSearch 96 adds 0.01 for 4 s.
HNSW_LINKS = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 72
SQ_TRAIN_ROWS = 20_000


@dataclass(frozen=True)
class NeighboursSpec:
    """Parameters of the ``neighbours`` stage.

    Attributes
    ----------
    k : int
        Neighbours per row, the row itself excluded (UMAP's default n_neighbors is 15 with the row
        itself, so 15 here leaves room for it).
    method : str
        ``auto``, ``exact``, ``hnsw`` or ``nndescent``.

    Notes
    -----
    The approximate methods run on every core, which makes them nondeterministic in the last few
    neighbours (pynndescent is single-threaded with a fixed seed, 2.3x slower at 100k rows). The
    stored graph is reused for the same inputs (the stage key), so a project's map does not move.
    """

    k: int = 15
    method: str = "auto"


Search = Callable[[NDArray[np.float32], int, Progress, str], tuple[NDArray[np.int32], NDArray[np.float32]]]


def resolve_method(method: str, n: int, device: str) -> str:
    """The method ``auto`` stands for with n rows on ``device``; other names are checked and returned.

    Raises
    ------
    storage.errors.StageInputError
        When ``method`` is neither ``auto`` nor registered.
    """
    if method == "auto":
        return "exact" if device.startswith("cuda") or n <= EXACT_MAX_ROWS else "hnsw"
    if method not in NEIGHBOUR_METHODS:
        raise StageInputError(
            f"Unknown neighbour method '{method}'; use auto or one of {', '.join(NEIGHBOUR_METHODS)}."
        )
    return method


def knn_graph(
    vectors: NDArray[np.float32], spec: NeighboursSpec, progress: Progress, device: str = "auto"
) -> tuple[NDArray[np.int32], NDArray[np.float32], str]:
    """Compute each row's k nearest neighbours by cosine distance.

    Parameters
    ----------
    vectors : numpy.ndarray
        float32 of shape (n, d), L2-normalised.
    spec : NeighboursSpec
    progress : analysis.progress.Progress
        Advanced per block of rows; cancellation checked between blocks.
    device : str
        Torch device for exact search (``auto`` picks CUDA when present).

    Returns
    -------
    indices : numpy.ndarray
        int32 (n, k'), k' = min(k, n-1), nearest first, the row itself excluded.
    distances : numpy.ndarray
        float32 (n, k'), cosine distance 1 - cos, in [0, 2].
    method : str
        The method used.

    Raises
    ------
    storage.errors.StageInputError
        When the method is unknown.
    analysis.progress.Cancelled
        When cancelled.
    """
    return search_graph(vectors, spec, progress, resolve_device(device), NEIGHBOUR_METHODS)


def search_graph(
    vectors: NDArray[np.float32],
    spec: NeighboursSpec,
    progress: Progress,
    device: str,
    methods: Mapping[str, Search],
    where: str = "",
) -> tuple[NDArray[np.int32], NDArray[np.float32], str]:
    """:func:`knn_graph` with the searches given: this process's (:data:`NEIGHBOUR_METHODS`) or a
    cluster's (:mod:`analysis.engines.ray_knn`), under the same names.

    ``device`` is already resolved (where the searches run; it chooses ``auto``'s method) and
    ``where`` is added to the progress message.
    """
    n = vectors.shape[0]
    k = min(spec.k, n - 1)
    if k < 1:
        return np.zeros((n, 0), np.int32), np.zeros((n, 0), np.float32), "exact"
    method = resolve_method(spec.method, n, device)
    progress.message(f"Neighbours of {n:,} rows ({method}{where})")
    idx, dist = methods[method](np.ascontiguousarray(vectors, np.float32), k, progress, device)
    return idx, dist, method


def _exact(
    vectors: NDArray[np.float32], k: int, progress: Progress, device: str
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """Exact search: one shard holding every row (:func:`analysis.map.knn_shards.shard_topk`)."""
    indices, similarities = shard_topk(vectors, 0, vectors.shape[0], k, device, progress)
    return indices, cosine_distances(similarities)


def _hnsw(
    vectors: NDArray[np.float32], k: int, progress: Progress, _device: str
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """HNSW over 8-bit scalar-quantised vectors, rows grouped by a coarse spherical k-means first.

    Both speed-ups are memory locality on a CPU: 8-bit codes make 100k×384 vectors 38 MB (near a
    last-level cache) instead of 154 MB, and rows that are neighbours sit next to each other in the
    index and are searched one after another. On the 100k emoji tweets (2 cores) this takes the graph
    from 45 s to 18 s at the same recall. The returned distances are exact: the candidates' float32
    vectors are compared again and the neighbours sorted by them.
    """
    import faiss

    n, d = vectors.shape
    progress.total(2 * n + n // 10)
    order = _locality_order(vectors)
    ordered = np.ascontiguousarray(vectors[order])
    progress.advance(n // 10)
    index = faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)  # type: ignore[arg-type]  # faiss stubs: enum given as int
    index.train(ordered[np.random.default_rng(0).choice(n, min(n, SQ_TRAIN_ROWS), replace=False)])
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = HNSW_EF_SEARCH
    # Built and searched in blocks so that Cancel and the progress bar work.
    step = max(BLOCK_ROWS, n // 50)
    for start in range(0, n, step):
        check_cancel(progress)
        index.add(ordered[start : start + step])
        progress.advance(min(step, n - start))
    found = np.empty((n, k + 1), np.int64)
    for start in range(0, n, step):
        check_cancel(progress)
        found[start : start + step] = index.search(ordered[start : start + step], k + 1)[1]
        progress.advance(min(step, n - start))
    found = np.where(found >= 0, order[np.maximum(found, 0)], -1)  # index positions -> row numbers
    rows_found = np.empty_like(found)
    rows_found[order] = found
    return _drop_self(*_exact_distances(vectors, rows_found), np.arange(n), k)


def _locality_order(vectors: NDArray[np.float32]) -> NDArray[np.int64]:
    """Rows grouped by their nearest of up to 256 spherical k-means centroids (faiss, fixed seed)."""
    import faiss

    n, d = vectors.shape
    centroids = min(256, n // 400)
    if centroids < 2:
        return np.arange(n)
    kmeans = faiss.Kmeans(d, centroids, niter=10, spherical=True, seed=1, max_points_per_centroid=100)
    kmeans.train(vectors)
    assigned = kmeans.index.search(vectors, 1)[1][:, 0]
    return np.argsort(assigned, kind="stable")


def _exact_distances(
    vectors: NDArray[np.float32], found: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Each row's candidates (int64 (n, m), -1 for none) sorted by exact cosine distance, with it."""
    distances = np.empty(found.shape, np.float32)
    for start in range(0, len(found), BLOCK_ROWS):
        block = found[start : start + BLOCK_ROWS]
        sims = np.einsum("ij,ikj->ik", vectors[start : start + BLOCK_ROWS], vectors[np.maximum(block, 0)])
        distances[start : start + BLOCK_ROWS] = np.where(block >= 0, 1.0 - sims, np.inf)
    order = np.argsort(distances, axis=1, kind="stable")
    sorted_distances = np.clip(np.take_along_axis(distances, order, axis=1), 0.0, 2.0)
    return np.take_along_axis(found, order, axis=1), sorted_distances


def _nndescent(
    vectors: NDArray[np.float32], k: int, progress: Progress, _device: str
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    check_cancel(progress)
    n = vectors.shape[0]
    # pynndescent offers no callback: it runs in a child process that Cancel terminates.
    found, dist = run_cancellable(nndescent_graph, vectors, progress, k=k)
    progress.advance(n)
    return _drop_self(found, dist, np.arange(n), k)


def nndescent_graph(vectors: NDArray[np.float32], k: int) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """NN-descent's graph of 2k neighbours (the row itself included), on every core.

    A graph of 2k neighbours gets the first k right far more often (recall@15 on the emoji tweets:
    0.83 with 16, 0.95 with 30).

    Returns
    -------
    indices : numpy.ndarray
        int64 (n, 2k).
    distances : numpy.ndarray
        float32 (n, 2k), cosine distances.
    """
    from pynndescent import NNDescent

    index = NNDescent(vectors, metric="cosine", n_neighbors=max(k + 1, 2 * k), low_memory=True, n_jobs=-1)
    found, dist = index.neighbor_graph
    return found, dist


def _drop_self(
    found: NDArray[np.int64], dist: NDArray[np.float32], rows: NDArray[np.int64], k: int
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """The first k neighbours of each row other than the row itself (vectorised: a stable sort moves
    the row's own entry, wherever an approximate search put it, to the end)."""
    is_self = (found == rows[:, None]) | (found < 0)
    order = np.argsort(is_self, axis=1, kind="stable")[:, :k]
    return (
        np.take_along_axis(found, order, axis=1).astype(np.int32),
        np.take_along_axis(dist, order, axis=1).astype(np.float32),
    )


NEIGHBOUR_METHODS: dict[str, Search] = {"exact": _exact, "hnsw": _hnsw, "nndescent": _nndescent}


def nearest_rows(
    base: NDArray[np.float32], queries: NDArray[np.float32], device: str = "auto"
) -> NDArray[np.int64]:
    """The nearest row of ``base`` to each query by cosine similarity (exact, blocked matrix products).

    Parameters
    ----------
    base : numpy.ndarray
        float32 (n, d), L2-normalised, n ≥ 1.
    queries : numpy.ndarray
        float32 (m, d), L2-normalised.

    Returns
    -------
    numpy.ndarray
        int64 (m,) row indices into ``base``.
    """
    resolved = resolve_device(device)
    try:
        import torch
    except ImportError:  # the standalone CPU build
        return np.concatenate(
            [
                (np.ascontiguousarray(queries[i : i + BLOCK_ROWS]) @ base.T).argmax(axis=1)
                for i in range(0, len(queries), BLOCK_ROWS)
            ]
            or [np.empty(0, np.int64)]
        ).astype(np.int64)
    dtype = getattr(torch, vector_dtype(resolved))
    table = torch.from_numpy(np.ascontiguousarray(base)).to(device=resolved, dtype=dtype)
    out = np.empty(len(queries), np.int64)
    with torch.no_grad():
        for start in range(0, len(queries), BLOCK_ROWS):
            block = torch.from_numpy(np.ascontiguousarray(queries[start : start + BLOCK_ROWS]))
            sims = block.to(device=resolved, dtype=dtype) @ table.T
            out[start : start + len(block)] = sims.float().argmax(dim=1).cpu().numpy()
    return out
