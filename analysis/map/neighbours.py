"""Stage ``neighbours``: the k-nearest-neighbour graph of normalised vectors (cosine distance).

Methods are registered by name (:data:`NEIGHBOUR_METHODS`) and chosen by :attr:`NeighboursSpec.method`
(part of the stage's cache key): ``exact`` (blocked matrix products in torch; on the GPU when one is
present), ``hnsw`` (faiss's hierarchical navigable small-world graph, Malkov & Yashunin, TPAMI 2018,
on every core) and ``nndescent`` (Dong et al., WWW 2011, through ``pynndescent``). ``auto`` takes
exact search on a GPU or up to :data:`EXACT_MAX_ROWS` rows, HNSW above. On the 100k emoji tweets
HNSW and NN-descent (with a 2k graph) reach recall@15 ≈ 0.95 in about the same time, but
pynndescent spends 20-40 s compiling its numba code in every new process and offers no callback
(it runs in a child process that Cancel terminates), while faiss is compiled and is built and
searched in blocks between which Cancel is checked. Exact search on 2 cores takes minutes
(benchmarks/bench_scale.py measures all three).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.cancellable import run_cancellable
from analysis.map.device import resolve_device, vector_dtype
from analysis.progress import Progress, check_cancel
from storage.errors import StageInputError

EXACT_MAX_ROWS = 30_000
BLOCK_ROWS = 2048
# Measured on the 100k emoji tweets (384-d): M=32, efConstruction=40, efSearch=96 reach recall@15 0.95;
# M=16 stays at 0.85-0.93 whatever the ef, and a larger efConstruction costs time for little recall.
HNSW_LINKS = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 96


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
    n = vectors.shape[0]
    k = min(spec.k, n - 1)
    if k < 1:
        return np.zeros((n, 0), np.int32), np.zeros((n, 0), np.float32), "exact"
    resolved = resolve_device(device)
    method = resolve_method(spec.method, n, resolved)
    progress.message(f"Neighbours of {n:,} rows ({method})")
    idx, dist = NEIGHBOUR_METHODS[method](np.ascontiguousarray(vectors, np.float32), k, progress, resolved)
    return idx, dist, method


def _exact(
    vectors: NDArray[np.float32], k: int, progress: Progress, device: str
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    import torch

    n = vectors.shape[0]
    dtype = getattr(torch, vector_dtype(device))
    base = torch.from_numpy(vectors).to(device=device, dtype=dtype)
    indices = np.empty((n, k), np.int32)
    distances = np.empty((n, k), np.float32)
    progress.total(n)
    with torch.no_grad():
        for start in range(0, n, BLOCK_ROWS):
            check_cancel(progress)
            stop = min(start + BLOCK_ROWS, n)
            sims = base[start:stop] @ base.T
            rows = torch.arange(stop - start, device=sims.device)
            sims[rows, rows + start] = -torch.inf  # a row is not its own neighbour
            top = torch.topk(sims.float(), k, dim=1)
            indices[start:stop] = top.indices.cpu().numpy()
            distances[start:stop] = np.clip(1.0 - top.values.cpu().numpy(), 0.0, 2.0)
            progress.advance(stop - start)
    return indices, distances


def _hnsw(
    vectors: NDArray[np.float32], k: int, progress: Progress, _device: str
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    import faiss

    n = vectors.shape[0]
    index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = HNSW_EF_SEARCH
    # Built and searched in blocks so that Cancel and the progress bar work; half the bar each.
    progress.total(2 * n)
    step = max(BLOCK_ROWS, n // 50)
    for start in range(0, n, step):
        check_cancel(progress)
        index.add(vectors[start : start + step])
        progress.advance(min(step, n - start))
    indices = np.empty((n, k), np.int32)
    distances = np.empty((n, k), np.float32)
    for start in range(0, n, step):
        check_cancel(progress)
        sims, found = index.search(vectors[start : start + step], k + 1)
        indices[start : start + step], distances[start : start + step] = _drop_self(
            found, 1.0 - sims, np.arange(start, start + len(found)), k
        )
        progress.advance(len(found))
    return indices, np.clip(distances, 0.0, 2.0)


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
    import torch

    resolved = resolve_device(device)
    dtype = getattr(torch, vector_dtype(resolved))
    table = torch.from_numpy(np.ascontiguousarray(base)).to(device=resolved, dtype=dtype)
    out = np.empty(len(queries), np.int64)
    with torch.no_grad():
        for start in range(0, len(queries), BLOCK_ROWS):
            block = torch.from_numpy(np.ascontiguousarray(queries[start : start + BLOCK_ROWS]))
            sims = block.to(device=resolved, dtype=dtype) @ table.T
            out[start : start + len(block)] = sims.float().argmax(dim=1).cpu().numpy()
    return out
