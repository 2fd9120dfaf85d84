"""Exact search by shards, merged, is the exact search over every row (on real sentence vectors)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from analysis.map.knn_shards import merge_topk, shard_topk
from analysis.map.neighbours import NeighboursSpec, knn_graph
from analysis.progress import NullProgress
from storage.project import Project
from storage.versions import resolve_version
from tests.analysis.engines.conftest import stored_vectors


def test_shards_merged_in_any_order_give_the_exact_graph(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        vectors = stored_vectors(project, resolve_version(project))
    vectors[1] = vectors[0]  # two equal rows: ties are broken by row number, whatever the shard order
    exact_idx, exact_dist, _ = knn_graph(vectors, NeighboursSpec(k=15, method="exact"), NullProgress(), "cpu")
    bounds = [0, 1, 9, 1200, 1201, 3080]  # a shard of one row, shards smaller than k, uneven shards
    parts = [shard_topk(vectors, a, b, 15) for a, b in itertools.pairwise(bounds)]
    for order in (range(len(parts)), reversed(range(len(parts)))):
        merged = None
        for i in order:
            merged = parts[i] if merged is None else merge_topk(*merged, *parts[i])
        assert merged is not None
        # The same similarities in the same order; a different row only where two rows are equally near
        # (BANKING77 repeats texts; a product's last bit depends on the shard's width).
        assert np.allclose(np.clip(1 - merged[1], 0, 2), exact_dist, atol=1e-6)
        differ = merged[0] != exact_idx
        assert differ.mean() < 0.01
        tied = np.abs(merged[1] - (1 - exact_dist)) < 1e-6
        assert (tied[differ]).all()
    assert exact_idx[0, 0] == 1 and exact_idx[1, 0] == 0 and exact_dist[0, 0] < 1e-6
    # A shard of one row has no neighbour for that row itself, and one for every other row.
    one = parts[0]
    assert one[0][0, 0] == -1 and not np.isfinite(one[1][0, 0])
    assert (one[0][1:, 0] == 0).all() and (one[0][:, 1:] == -1).all()
