"""The map's computations alone, on small arrays whose answer is known."""

from __future__ import annotations

import numpy as np

from analysis.map.clustering import ClusterSpec, cluster_error_rates, hdbscan_labels
from analysis.map.keywords import cluster_keywords, cluster_name
from analysis.map.neighbours import NeighboursSpec, knn_graph
from analysis.map.projection import ProjectSpec, project_2d
from analysis.progress import NullProgress


def unit_rows(n: int, d: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_exact_neighbours_are_the_brute_force_ones() -> None:
    vectors = unit_rows(80, 16, 0)
    idx, dist, method = knn_graph(vectors, NeighboursSpec(k=5, method="exact"), NullProgress(), "cpu")
    distance = 1 - vectors @ vectors.T
    np.fill_diagonal(distance, np.inf)
    expected = np.argsort(distance, axis=1)[:, :5]
    assert method.startswith("exact") and idx.shape == (80, 5)
    assert np.array_equal(np.sort(idx, axis=1), np.sort(expected, axis=1))
    np.testing.assert_allclose(dist, np.take_along_axis(distance, idx.astype(np.int64), axis=1), atol=1e-5)


def test_two_blobs_make_two_clusters_with_their_error_rates() -> None:
    rng = np.random.default_rng(1)
    coords = np.vstack([rng.normal(0, 0.1, (40, 2)), rng.normal(5, 0.1, (40, 2))]).astype(np.float32)
    labels = hdbscan_labels(coords, ClusterSpec(min_cluster_size=10), NullProgress())
    assert len(set(labels[:40])) == 1 and len(set(labels[40:])) == 1 and labels[0] != labels[40]
    wrong = np.arange(80) >= 70
    rates = cluster_error_rates(labels, wrong)
    assert rates[int(labels[0])] == 0.0 and rates[int(labels[40])] == 0.25
    assert cluster_error_rates(labels, None) == {int(labels[0]): None, int(labels[40]): None}


def test_small_versions_are_projected_with_pca() -> None:
    vectors = unit_rows(20, 8, 2)
    idx, dist, _ = knn_graph(vectors, NeighboursSpec(k=5, method="exact"), NullProgress(), "cpu")
    coords, method = project_2d(vectors, idx, dist, ProjectSpec(), NullProgress())
    assert method == "pca" and coords.shape == (20, 2) and coords.dtype == np.float32
    assert np.isfinite(coords).all()


def test_keywords_name_each_cluster_by_its_own_words() -> None:
    texts = [
        "card arrived late",
        "my card has not arrived",
        "where is my card",
        "exchange rate fee",
        "what exchange rate do you use",
        "the rate for euros",
    ]
    labels = np.array([0, 0, 0, 1, 1, 1])
    words = cluster_keywords(texts, labels, top=2)
    assert "card" in words[0] and "rate" in words[1]
    assert "card" in cluster_name(words[0], 0)
