"""The pipeline on real data: clusters and names, cache hits, resume after an interrupted embed, offline."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import func, select

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.map.clustering import ClusterSpec
from analysis.map.embed import CHUNK_ROWS, EmbedSpec
from analysis.map.keywords import cluster_keywords
from analysis.map.neighbours import NeighboursSpec, knn_graph
from analysis.pipeline.runner import PipelineSpec, run_pipeline
from analysis.progress import Cancelled, NullProgress
from storage.embeddings import stored_hashes
from storage.errors import StageInputError
from storage.project import Project
from storage.schema import EmbeddingChunk, StageResult
from storage.stage_outputs import read_clusters, read_coords
from storage.versions import resolve_version


class CancelAfter(NullProgress):
    """Cancels once ``limit`` units of work were reported."""

    def __init__(self, limit: int) -> None:
        self.limit, self.done = limit, 0

    def advance(self, n: int = 1) -> None:
        self.done += n

    def cancelled(self) -> bool:
        return self.done >= self.limit


def test_sample_pipeline_finds_named_clusters(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        version = resolve_version(project)
        clusters, labels = read_clusters(project, version)
        coords = read_coords(project, version)
    assert coords is not None and coords.shape == (3080, 2) and np.isfinite(coords).all()
    assert labels is not None and labels.shape == (3080,)
    assert 30 <= len(clusters) <= 200
    assert (labels >= 0).mean() > 0.8  # most rows fall in a cluster
    assert sum(c.size for c in clusters) == int((labels >= 0).sum())
    assert all(c.keywords and c.name for c in clusters)
    assert all(c.error_rate is not None and 0 <= c.error_rate <= 1 for c in clusters)
    # BANKING77 intents are about transfers, PINs, exchange rates, ATMs, refunds: those words name clusters.
    vocabulary = {w for c in clusters for w in c.keywords}
    assert {"transfer", "pin", "exchange", "atm", "refund"} <= vocabulary


def test_second_run_is_all_cache_hits(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        reports = run_pipeline(project, resolve_version(project))
    stages = ["embed", "tokens", "neighbours", "probe", "cluster_sphere", "project", "cluster", "tag"]
    assert [r.stage for r in reports] == stages
    assert all(r.cached for r in reports)


def test_changed_parameter_reruns_only_downstream(sample_project: Path) -> None:
    spec = PipelineSpec(cluster=ClusterSpec(min_cluster_size=40))
    with Project.open(sample_project) as project:
        version = resolve_version(project)
        before, _ = read_clusters(project, version)
        reports = run_pipeline(project, version, spec)
        after, _ = read_clusters(project, version)
    # embed, tokens, neighbours, probe, cluster_sphere, project cached; cluster and tag (it reads the
    # clusters) rerun
    assert [r.cached for r in reports] == [True] * 6 + [False, False]
    assert len(after) < len(before)
    assert min(c.size for c in after) >= 40


def test_embed_resumes_after_interruption(tmp_path: Path, banking_small: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = import_dataset(
            project, banking_small, RoleMapping(id="id", text="text", label="category")
        ).version_id
        with pytest.raises(Cancelled, match="embedding chunks already computed are kept"):
            run_pipeline(project, version, stages=("embed",), progress=CancelAfter(CHUNK_ROWS + 64))
        with project.session() as s:
            assert s.scalar(select(func.count()).select_from(StageResult)) == 0
            kept = s.scalar(select(func.sum(EmbeddingChunk.count)))
        assert kept == CHUNK_ROWS  # the finished chunk survived; the interrupted one left nothing
        counter = CancelAfter(10**9)
        reports = run_pipeline(project, version, stages=("embed",), progress=counter)
        unique = pl.read_csv(banking_small)["text"].n_unique()
        assert counter.done == unique - CHUNK_ROWS  # only the remainder was embedded
        assert (
            f"{unique - CHUNK_ROWS} texts embedded, {600 - unique + CHUNK_ROWS} reused" in reports[0].detail
        )
        with project.session() as s:
            set_id = s.scalar(select(EmbeddingChunk.set_id))
        assert len(stored_hashes(project, set_id or 0)) == unique


def test_cancel_in_a_later_stage_leaves_no_partial_result(sample_project: Path) -> None:
    spec = PipelineSpec(neighbours=NeighboursSpec(k=10))
    with Project.open(sample_project) as project:
        version = resolve_version(project)
        with project.session() as s:
            results_before = s.scalar(select(func.count()).select_from(StageResult))
        with pytest.raises(Cancelled):
            run_pipeline(project, version, spec, progress=CancelAfter(1))
        with project.session() as s:
            assert s.scalar(select(func.count()).select_from(StageResult)) == results_before


def test_neighbours_match_brute_force(sample_project: Path) -> None:
    from storage.embeddings import load_vectors
    from storage.versions import read_rows

    with Project.open(sample_project) as project:
        # 2,000 rows: enough for HNSW to group them by a coarse k-means before indexing
        hashes = read_rows(project, resolve_version(project), [])["_content_hash"].to_list()[:2000]
        vectors = load_vectors(project, 1, hashes)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    idx, dist, method = knn_graph(vectors, NeighboursSpec(k=5, method="exact"), NullProgress(), "cpu")
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    expected = np.sort(1 - np.sort(sims, axis=1)[:, ::-1][:, :5], axis=1)
    assert method == "exact" and idx.shape == (len(vectors), 5)
    assert np.allclose(np.sort(dist, axis=1), expected, atol=1e-4)
    for name in ("hnsw",):  # nndescent: tests/analysis/map/test_cancellable.py (it runs in a child)
        approx_idx, approx_dist, approx = knn_graph(
            vectors, NeighboursSpec(k=5, method=name), NullProgress(), "cpu"
        )
        recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(approx_idx, idx, strict=True)])
        assert approx == name and recall > 0.9
        assert not (approx_idx == np.arange(len(vectors))[:, None]).any()  # never a row's own neighbour
        assert (np.diff(approx_dist, axis=1) >= -1e-6).all()  # nearest first
        exact_dist = 1 - np.take_along_axis(sims, approx_idx.astype(np.int64), axis=1)
        assert np.allclose(approx_dist, exact_dist, atol=1e-4)  # HNSW's 8-bit codes only find them


def test_keywords_are_class_based_tf_idf() -> None:
    texts = ["card lost card", "card stolen", "transfer failed", "transfer pending money", "the the"]
    labels = np.array([0, 0, 1, 1, -1])
    words = cluster_keywords(texts, labels)
    assert words[0][0] == "card" and words[1][0] == "transfer"
    assert "the" not in words[0] + words[1]


def test_dataset_without_text_says_so(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    pl.DataFrame({"id": ["a", "b"], "label": ["x", "y"], "pred": ["x", "x"]}).write_csv(path)
    with Project.create(tmp_path / "p.strata") as project:
        version = import_dataset(project, path, RoleMapping(id="id", label="label", pred="pred")).version_id
        with pytest.raises(StageInputError, match=r"has no text column.*still show in the table"):
            run_pipeline(project, version, stages=("project",))
        reports = run_pipeline(project, version)
    assert [r.detail for r in reports[:6]] == ["skipped: no text column"] * 6
    assert reports[-1].stage == "tag" and "misclassified 1" in reports[-1].detail


def test_unknown_model_folder_is_refused(tmp_path: Path, banking_small: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = import_dataset(project, banking_small, RoleMapping(text="text")).version_id
        with pytest.raises(StageInputError, match="never downloads models"):
            run_pipeline(
                project,
                version,
                PipelineSpec(embed=EmbedSpec(model="sentence-transformers/all-mpnet-base-v2")),
            )


def test_whole_pipeline_runs_with_sockets_forbidden(tmp_path: Path, banking_small: Path) -> None:
    from pytest_socket import SocketBlockedError, disable_socket, enable_socket

    disable_socket(allow_unix_socket=False)
    try:
        with pytest.warns(UserWarning, match="tried to use socket"), pytest.raises(SocketBlockedError):
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with Project.create(tmp_path / "offline.strata") as project:
            version = import_dataset(
                project, banking_small, RoleMapping(id="id", text="text", label="category")
            ).version_id
            reports = run_pipeline(project, version)
            clusters, _ = read_clusters(project, version)
    finally:
        enable_socket()
    assert [r.cached for r in reports] == [False] * 8
    assert len(clusters) >= 3
