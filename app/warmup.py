"""Compile the map and cluster stages' numba code once, when Strata is installed (``make setup``).

umap-learn, pynndescent and fast_hdbscan compile their numba functions on first use and cache the
machine code beside each package (``cache=True``). On 2 cores that is about a minute, which the first
``strata run`` after an install would otherwise spend before its map appears. ``python -m
app.warmup`` runs the neighbours, map and cluster functions on 600 random unit vectors, so the
caches are written at install time, as pip writes the bytecode of the packages it installs.
"""

from __future__ import annotations

import time

import numpy as np


def main() -> int:
    """Run the three stages once on random vectors; print how long it took."""
    from analysis.map.clustering import ClusterSpec, hdbscan_labels
    from analysis.map.neighbours import NeighboursSpec, knn_graph
    from analysis.map.projection import ProjectSpec, project_2d
    from analysis.progress import NullProgress

    started = time.perf_counter()
    vectors = np.random.default_rng(0).normal(size=(600, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    indices, distances, _ = knn_graph(vectors, NeighboursSpec(), NullProgress(), "cpu")
    coords, _ = project_2d(vectors, indices, distances, ProjectSpec(), NullProgress())
    hdbscan_labels(coords, ClusterSpec(), NullProgress())
    print(f"Strata: map and cluster code compiled in {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
