"""Spherical k-means on the sample's real BANKING77 vectors (3,080 rows, 77 intents)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_mutual_info_score

from analysis.map.spherical import SphereClusterSpec, auto_k, by_size, resolved_k, spherical_kmeans
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.spec import PipelineSpec
from analysis.progress import Cancelled, NullProgress
from storage.project import Project


@pytest.fixture(scope="module")
def banking(sample_project_master: Path) -> tuple[np.ndarray, np.ndarray]:
    """The sample's stored vectors (float32, 3,080 × 384) and its intents as integer codes."""
    with Project.open(sample_project_master) as project:
        inputs = StageInputs(project, 1, PipelineSpec(), NullProgress())
        vectors = inputs.vectors()
        given = inputs.given_labels()
    assert given is not None
    _, codes = np.unique(np.array(given, dtype=object).astype(str), return_inverse=True)
    return vectors, codes


class Counting(NullProgress):
    """Counts the work announced and done; cancels once ``cancel_after`` iterations are done."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.totals: list[int] = []
        self.done = 0
        self.cancel_after = cancel_after

    def total(self, n: int) -> None:
        self.totals.append(n)

    def advance(self, n: int = 1) -> None:
        self.done += n

    def cancelled(self) -> bool:
        return self.cancel_after is not None and self.done >= self.cancel_after


def test_k_follows_the_stated_rule() -> None:
    rows = (10, 600, 3_080, 13_083, 41_000, 100_000)
    assert [auto_k(n) for n in rows] == [2, 8, 18, 36, 64, 64]
    assert resolved_k(SphereClusterSpec(k=5), 3_080) == 5
    assert resolved_k(SphereClusterSpec(k=50), 12) == 12  # never more clusters than rows


def test_every_row_is_clustered_reproducibly_and_agrees_with_the_intents(
    banking: tuple[np.ndarray, np.ndarray],
) -> None:
    import faiss

    vectors, intents = banking
    progress = Counting()
    labels = spherical_kmeans(vectors, SphereClusterSpec(), progress)
    assert labels.dtype == np.int64 and labels.shape == (len(vectors),)
    assert set(np.unique(labels)) == set(range(18))  # k from the rule, no noise, no empty cluster
    sizes = np.bincount(labels)
    assert (np.diff(sizes) <= 0).all()  # numbered from the largest cluster down
    assert progress.totals == [25] and progress.done == 25
    # The same seed gives the same clusters, with 2 threads or 1; another seed another clustering.
    assert np.array_equal(spherical_kmeans(vectors, SphereClusterSpec(), NullProgress()), labels)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        assert np.array_equal(spherical_kmeans(vectors, SphereClusterSpec(), NullProgress()), labels)
    finally:
        faiss.omp_set_num_threads(threads)
    assert not np.array_equal(spherical_kmeans(vectors, SphereClusterSpec(seed=7), NullProgress()), labels)
    # Agreement with the 77 intents: measured 0.58-0.60 over seeds 1-4 and 42; shuffled intents ~0.
    ami = adjusted_mutual_info_score(intents, labels)
    shuffled = adjusted_mutual_info_score(np.random.default_rng(0).permutation(intents), labels)
    assert ami > 0.5 and abs(shuffled) < 0.02, (ami, shuffled)


def test_cancel_is_honoured_between_steps(banking: tuple[np.ndarray, np.ndarray]) -> None:
    progress = Counting(cancel_after=5)
    with pytest.raises(Cancelled):
        spherical_kmeans(banking[0], SphereClusterSpec(), progress)
    assert progress.done == 5  # one step of 5 iterations ran, then it stopped


def test_vectors_are_normalised_and_bad_input_refused(banking: tuple[np.ndarray, np.ndarray]) -> None:
    vectors = banking[0][:500]
    labels = spherical_kmeans(vectors, SphereClusterSpec(k=6), NullProgress())
    # Cosine clustering: scaling the rows changes nothing.
    scales = np.linspace(0.5, 3.0, len(vectors), dtype=np.float32)[:, None]
    assert np.array_equal(spherical_kmeans(vectors * scales, SphereClusterSpec(k=6), NullProgress()), labels)
    broken = vectors.copy()
    broken[3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        spherical_kmeans(broken, SphereClusterSpec(k=6), NullProgress())


def test_labels_are_renumbered_by_size() -> None:
    assert by_size(np.array([5, 2, 2, 9, 2, 5], dtype=np.int64)).tolist() == [1, 0, 0, 2, 0, 1]
