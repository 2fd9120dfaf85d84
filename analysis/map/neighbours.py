"""Stage ``neighbours``: the k-nearest-neighbour graph of normalised vectors (cosine distance).

Exact search by blocked matrix products (torch; on the GPU when present) up to
:data:`EXACT_MAX_ROWS` rows on the CPU; approximate search by NN-descent (Dong et al., WWW 2011,
through ``pynndescent``) above that. The graph is shared by the projection and by later stages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.map.device import resolve_device, vector_dtype
from analysis.progress import Progress, check_cancel

EXACT_MAX_ROWS = 30_000
BLOCK_ROWS = 2048


@dataclass(frozen=True)
class NeighboursSpec:
    """Parameters of the ``neighbours`` stage.

    Attributes
    ----------
    k : int
        Neighbours per row, the row itself excluded (UMAP's default n_neighbors is 15 with the row
        itself, so 15 here leaves room for it).
    method : str
        ``auto`` (exact on GPU or up to 30,000 rows on CPU, else approximate), ``exact`` or ``approximate``.
    seed : int
        Seed of the approximate search.
    """

    k: int = 15
    method: str = "auto"
    seed: int = 42


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
        ``exact`` or ``approximate``.
    """
    n = vectors.shape[0]
    k = min(spec.k, n - 1)
    if k < 1:
        return np.zeros((n, 0), np.int32), np.zeros((n, 0), np.float32), "exact"
    resolved = resolve_device(device)
    method = spec.method
    if method == "auto":
        method = "exact" if resolved.startswith("cuda") or n <= EXACT_MAX_ROWS else "approximate"
    if method == "exact":
        idx, dist = _exact(vectors, k, progress, resolved)
    else:
        idx, dist = _approximate(vectors, k, spec.seed, progress)
    return idx, dist, method


def _exact(
    vectors: NDArray[np.float32], k: int, progress: Progress, device: str
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    import torch

    n = vectors.shape[0]
    dtype = getattr(torch, vector_dtype(device))
    base = torch.from_numpy(np.ascontiguousarray(vectors)).to(device=device, dtype=dtype)
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


def _approximate(
    vectors: NDArray[np.float32], k: int, seed: int, progress: Progress
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    from pynndescent import NNDescent

    check_cancel(progress)
    progress.message("Approximate neighbours (NN-descent)")
    index = NNDescent(vectors, metric="cosine", n_neighbors=k + 1, random_state=seed, low_memory=True)
    idx, dist = index.neighbor_graph
    n = vectors.shape[0]
    out_idx = np.empty((n, k), np.int32)
    out_dist = np.empty((n, k), np.float32)
    for i in range(n):
        keep = idx[i] != i
        out_idx[i] = idx[i][keep][:k]
        out_dist[i] = dist[i][keep][:k]
    progress.advance(n)
    return out_idx, out_dist


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
