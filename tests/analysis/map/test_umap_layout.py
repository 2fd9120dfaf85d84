"""UMAP run epoch by epoch (analysis/map/umap_layout.py) on the sample's real sentence vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.spatial import cKDTree

from analysis.map.neighbours import NeighboursSpec, knn_graph
from analysis.map.projection import ProjectSpec, project_2d
from analysis.map.umap_layout import umap_layout
from analysis.progress import Cancelled, NullProgress


class Recording(NullProgress):
    """Counts epochs and cancels after ``stop_after`` of them."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.totals: list[int] = []
        self.done = 0
        self.stop_after = stop_after

    def total(self, n: int) -> None:
        self.totals.append(n)

    def advance(self, n: int = 1) -> None:
        self.done += n

    def cancelled(self) -> bool:
        return self.stop_after is not None and self.done >= self.stop_after


@pytest.fixture(scope="module")
def sample_vectors(sample_project_master: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from storage.embeddings import version_vectors
    from storage.project import Project
    from storage.versions import read_rows

    with Project.open(sample_project_master) as project:
        hashes = read_rows(project, 1, [])["_content_hash"].to_list()
        vectors = version_vectors(project, 1, hashes)
    idx, dist, _ = knn_graph(vectors, NeighboursSpec(k=14, method="exact"), NullProgress(), "cpu")
    graph_idx = np.hstack([np.arange(len(vectors))[:, None], idx]).astype(np.int64)
    graph_dist = np.hstack([np.zeros((len(vectors), 1), np.float32), dist])
    return vectors, graph_idx, graph_dist


def knn_preservation(vectors: np.ndarray, coords: np.ndarray, k: int = 15) -> float:
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    truth = np.argsort(-sims, axis=1)[:, :k]
    _, found = cKDTree(coords).query(coords, k=k + 1)
    return float(np.mean([len(set(t) & set(f[1:])) / k for t, f in zip(truth, found, strict=True)]))


def test_one_thread_draws_the_same_map_twice(sample_vectors) -> None:
    vectors, idx, dist = sample_vectors
    first = umap_layout(
        vectors, idx, dist, min_dist=0.1, seed=7, progress=NullProgress(), n_epochs=60, threads=1
    )
    again = umap_layout(
        vectors, idx, dist, min_dist=0.1, seed=7, progress=NullProgress(), n_epochs=60, threads=1
    )
    other = umap_layout(
        vectors, idx, dist, min_dist=0.1, seed=8, progress=NullProgress(), n_epochs=60, threads=1
    )
    assert first.shape == (len(vectors), 2) and first.dtype == np.float32
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_every_epoch_is_reported_and_cancel_stops_between_epochs(sample_vectors) -> None:
    vectors, idx, dist = sample_vectors
    progress = Recording()
    umap_layout(vectors, idx, dist, min_dist=0.1, seed=1, progress=progress, n_epochs=40)
    assert progress.totals == [40] and progress.done == 40
    stopping = Recording(stop_after=5)
    with pytest.raises(Cancelled):
        umap_layout(vectors, idx, dist, min_dist=0.1, seed=1, progress=stopping, n_epochs=40)
    assert stopping.done == 5


def test_the_map_keeps_neighbourhoods_far_better_than_pca(sample_vectors) -> None:
    vectors, idx, dist = sample_vectors
    umap_coords, method = project_2d(
        vectors, idx[:, 1:].astype(np.int32), dist[:, 1:], ProjectSpec(), NullProgress()
    )
    pca_coords, _ = project_2d(
        vectors, idx[:, 1:].astype(np.int32), dist[:, 1:], ProjectSpec(method="pca"), NullProgress()
    )
    ours, pca = knn_preservation(vectors, umap_coords), knn_preservation(vectors, pca_coords)
    assert method == "umap" and np.isfinite(umap_coords).all()
    assert ours > 2 * pca and ours > 0.2
