"""Exact k-nearest neighbours by shards: each row's top k among one range of rows, and the merge of two.

The exact search of :mod:`analysis.map.neighbours` is one shard holding every row. The Ray engine
(:mod:`analysis.engines.ray_knn`) cuts the rows into shards, searches them on the cluster's workers and
merges the partial answers as they come back; a shard's answer for all n rows is n×k indices and
similarities, far less than the shard's vectors, which is why the shards are the base rows and not the
queries. Written here rather than taken from faiss because the merge has to run as answers stream in,
with Cancel checked between them, and faiss's sharded indexes merge inside one call.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from analysis.progress import NullProgress, Progress, check_cancel

# A block's first query row, and its top-k base positions (within the shard) and similarities, unsorted.
Block = tuple[int, NDArray[np.int64], NDArray[np.float32]]

BLOCK_ROWS = 2048


def shard_topk(
    vectors: NDArray[np.float32],
    start: int,
    stop: int,
    k: int,
    device: str = "cpu",
    progress: Progress | None = None,
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """Each row's k most similar rows among rows ``start:stop`` (the row itself excluded).

    Parameters
    ----------
    vectors : numpy.ndarray
        float32 of shape (n, d), L2-normalised: every row is a query.
    start, stop : int
        The shard: base rows ``start`` to ``stop - 1``.
    k : int
        Neighbours per row, k ≥ 1.
    device : str
        A torch device: blocked products and top-k in torch (float16 on CUDA), or in numpy where
        torch is not installed (the standalone build; 3x slower on 20k rows, as ``argpartition``
        is slower than ``torch.topk``).
    progress : analysis.progress.Progress, optional
        Advanced per block of query rows; cancellation checked between blocks.

    Returns
    -------
    indices : numpy.ndarray
        int32 (n, k), row numbers into ``vectors``, most similar first; -1 where the shard has fewer
        than k rows other than the query.
    similarities : numpy.ndarray
        float32 (n, k), cosine similarities, -inf where the index is -1.

    Raises
    ------
    analysis.progress.Cancelled
        When cancelled.
    """
    progress = progress or NullProgress()
    n = vectors.shape[0]
    indices = np.full((n, k), -1, np.int32)
    similarities = np.full((n, k), -np.inf, np.float32)
    found = min(k, stop - start)
    if found < 1:
        return indices, similarities
    progress.total(n)
    search = _torch_topk if importlib.util.find_spec("torch") is not None else _numpy_topk
    for begin, top, values in search(vectors, start, stop, found, device):
        check_cancel(progress)
        end = begin + len(top)
        order = np.lexsort((top, -values), axis=1)  # most similar first; equals by row number
        indices[begin:end, :found] = np.take_along_axis(top, order, axis=1) + start
        similarities[begin:end, :found] = np.take_along_axis(values, order, axis=1)
        progress.advance(end - begin)
    missing = ~np.isfinite(similarities)  # the query was the only row of a shard of ≤ k rows
    indices[missing] = -1
    return indices, similarities


def merge_topk(
    indices_a: NDArray[np.int32],
    similarities_a: NDArray[np.float32],
    indices_b: NDArray[np.int32],
    similarities_b: NDArray[np.float32],
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """The k best of two partial answers of the same rows from disjoint shards.

    Parameters
    ----------
    indices_a, indices_b : numpy.ndarray
        int32 (n, k) from :func:`shard_topk` (-1: none).
    similarities_a, similarities_b : numpy.ndarray
        float32 (n, k), -inf where the index is -1.

    Returns
    -------
    indices, similarities : numpy.ndarray
        int32 and float32 (n, k), most similar first, equal similarities by row number, so that the
        result does not depend on the order in which the shards were merged.
    """
    k = indices_a.shape[1]
    indices = np.concatenate([indices_a, indices_b], axis=1)
    similarities = np.concatenate([similarities_a, similarities_b], axis=1)
    order = np.lexsort((np.where(indices < 0, np.iinfo(np.int32).max, indices), -similarities), axis=1)
    order = order[:, :k]
    return np.take_along_axis(indices, order, axis=1), np.take_along_axis(similarities, order, axis=1)


def cosine_distances(similarities: NDArray[np.float32]) -> NDArray[np.float32]:
    """float32 cosine distances 1 − similarity, clipped to [0, 2] (rounding can leave the range)."""
    distances: NDArray[np.float32] = np.clip(1.0 - similarities, 0.0, 2.0).astype(np.float32)
    return distances


def _block_rows(shard_rows: int) -> int:
    """Query rows per block: at most 2**25 similarities (128 MB of float32) at a time."""
    return int(np.clip(2**25 // max(shard_rows, 1), 64, BLOCK_ROWS))


def _self_pairs(begin: int, end: int, start: int, stop: int) -> NDArray[np.int64]:
    """The query rows of block ``begin:end`` that lie in the shard ``start:stop`` (each is its own
    most similar row and must not count as a neighbour)."""
    return np.arange(max(begin, start), min(end, stop))


def _numpy_topk(vectors: NDArray[np.float32], start: int, stop: int, k: int, _device: str) -> Iterator[Block]:
    """Blocked products on the CPU; each block's top k, unsorted."""
    base = vectors[start:stop]
    step = _block_rows(stop - start)
    for begin in range(0, vectors.shape[0], step):
        sims = vectors[begin : begin + step] @ base.T
        rows = _self_pairs(begin, begin + len(sims), start, stop)
        sims[rows - begin, rows - start] = -np.inf
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        yield begin, top, np.take_along_axis(sims, top, axis=1)


def _torch_topk(vectors: NDArray[np.float32], start: int, stop: int, k: int, device: str) -> Iterator[Block]:
    """Products and top k in torch (float16 on a GPU: tensor cores); only the top k comes back."""
    import torch

    from analysis.map.device import vector_dtype

    dtype = getattr(torch, vector_dtype(device))
    with warnings.catch_warnings():  # Ray's shared vectors are read-only; nothing here writes to them
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        table = torch.from_numpy(np.ascontiguousarray(vectors)).to(device=device, dtype=dtype)
    base = table[start:stop]
    step = _block_rows(stop - start)
    with torch.no_grad():
        for begin in range(0, vectors.shape[0], step):
            sims = (table[begin : begin + step] @ base.T).float()
            rows = torch.from_numpy(_self_pairs(begin, begin + len(sims), start, stop)).to(sims.device)
            sims[rows - begin, rows - start] = -torch.inf
            top = torch.topk(sims, k, dim=1, sorted=False)
            yield begin, top.indices.cpu().numpy(), top.values.cpu().numpy()
