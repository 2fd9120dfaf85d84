"""The HDBSCAN backends on the sample's real map: the same clusters, the size cap, the numbering."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis.map.clustering import HDBSCAN_BACKENDS, ClusterSpec, by_size, hdbscan_labels
from analysis.progress import NullProgress
from storage.errors import StageInputError


@pytest.fixture(scope="module")
def sample_map(sample_project_master: Path) -> np.ndarray:
    from storage.project import Project
    from storage.stage_outputs import read_coords

    with Project.open(sample_project_master) as project:
        coords = read_coords(project, 1)
    assert coords is not None
    return coords


def test_backends_agree_on_the_sample_map(sample_map: np.ndarray) -> None:
    found = {b: hdbscan_labels(sample_map, ClusterSpec(backend=b), NullProgress()) for b in HDBSCAN_BACKENDS}
    reference = found["fast_hdbscan"]
    assert 20 <= reference.max() + 1 <= 200  # tens of clusters on 3,080 BANKING77 texts
    assert adjusted_rand_score(reference, found["hdbscan"]) >= 0.9
    # scikit-learn's implementation breaks ties and applies the size cap differently (0.80-0.85)
    assert adjusted_rand_score(reference, found["sklearn"]) >= 0.75


def test_no_cluster_exceeds_the_share_cap() -> None:
    rng = np.random.default_rng(0)
    # one blob of 75 % of the rows and four small ones
    blob = rng.normal(0, 1.0, (1500, 2))
    others = np.vstack([c + rng.normal(0, 0.1, (125, 2)) for c in ((8, 8), (-8, 8), (8, -8), (-8, -8))])
    coords = np.vstack([blob, others]).astype(np.float32)
    capped = hdbscan_labels(coords, ClusterSpec(min_cluster_size=25, max_cluster_share=0.25), NullProgress())
    free = hdbscan_labels(coords, ClusterSpec(min_cluster_size=25, max_cluster_share=0), NullProgress())
    assert np.bincount(free[free >= 0]).max() > 0.25 * len(coords)
    assert np.bincount(capped[capped >= 0]).max() <= 0.25 * len(coords)


def test_clusters_are_numbered_largest_first() -> None:
    labels = np.array([2, 2, 0, -1, 1, 1, 1, 2, 2])
    assert by_size(labels).tolist() == [0, 0, 2, -1, 1, 1, 1, 0, 0]


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(StageInputError, match="fast_hdbscan"):
        hdbscan_labels(np.zeros((50, 2), np.float32), ClusterSpec(backend="dbscan"), NullProgress())
