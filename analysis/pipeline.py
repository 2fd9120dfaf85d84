"""The pipeline: embed → neighbours → project → cluster, each stage cached, resumable and cancellable.

A stage runs only when no result with its key (stage, parameters, input fingerprint) exists; its
outputs and its :class:`storage.schema.StageResult` are written in one transaction, so a stage that
fails or is cancelled leaves nothing behind (``embed`` alone keeps its finished chunks, to resume).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import insert, select

from analysis import stage_cache
from analysis.catalog import get_version, list_runs, read_predictions, read_rows
from analysis.clustering import ClusterSpec, cluster_error_rates, hdbscan_labels, resolved_min_cluster_size
from analysis.device import resolve_device
from analysis.embed import EmbedSpec, embed_texts, load_vectors
from analysis.keywords import cluster_keywords, cluster_name
from analysis.neighbours import NeighboursSpec, knn_graph
from analysis.progress import NullProgress, Progress
from analysis.projection import ProjectSpec, project_2d
from storage.errors import StageInputError
from storage.project import Project
from storage.schema import (
    Cluster,
    Clustering,
    ClusterMember,
    EmbeddingSet,
    NeighbourGraph,
    Projection,
    StageResult,
)
from storage.vectors import pack, unpack

STAGES = ("embed", "neighbours", "project", "cluster")


@dataclass(frozen=True)
class PipelineSpec:
    """Parameters of every stage."""

    embed: EmbedSpec = field(default_factory=EmbedSpec)
    neighbours: NeighboursSpec = field(default_factory=NeighboursSpec)
    project: ProjectSpec = field(default_factory=ProjectSpec)
    cluster: ClusterSpec = field(default_factory=ClusterSpec)


@dataclass(frozen=True)
class StageReport:
    """What a stage did: its key, whether it came from the cache, its wall time and a short detail."""

    stage: str
    key: str
    cached: bool
    seconds: float
    detail: str


class _Run:
    """One pipeline run over a version; stage outputs are loaded lazily from the project."""

    def __init__(self, project: Project, version_id: int, spec: PipelineSpec, progress: Progress) -> None:
        self.project = project
        self.version_id = version_id
        self.spec = spec
        self.progress = progress
        self.version = get_version(project, version_id)
        self.device = resolve_device(spec.embed.device)
        text = self.version.roles.get("text")
        self.text_column = text if isinstance(text, str) else None
        self._rows: pl.DataFrame | None = None
        self._memo: dict[str, Any] = {}

    @property
    def rows(self) -> pl.DataFrame:
        if self._rows is None:
            cols = [self.text_column] if self.text_column else []
            self._rows = read_rows(self.project, self.version_id, cols)
        return self._rows

    def texts(self) -> list[str]:
        if self.text_column is None:
            raise StageInputError(
                f"Version {self.version_id} has no text column, so it cannot be embedded, mapped or "
                "clustered; its rows still show in the table. Re-import with --text COLUMN to map it."
            )
        return self.rows[self.text_column].cast(pl.String).fill_null("").to_list()

    def input_fingerprint(self) -> str:
        digest = hashlib.sha256(f"version:{self.version_id}:".encode())
        digest.update("".join(self.rows["_content_hash"].to_list()).encode())
        return digest.hexdigest()

    # -- keys ---------------------------------------------------------------------------------
    def key(self, stage: str) -> str:
        if stage in self._memo.get("keys", {}):
            return str(self._memo["keys"][stage])
        if stage == "embed":
            self.texts()  # fails early, with a clear message, when there is no text
            params: dict[str, Any] = {
                "model": self.spec.embed.model,
                "dtype": "float16" if self.device.startswith("cuda") else "float32",
            }
            upstream = self.input_fingerprint()
        elif stage == "neighbours":
            params, upstream = (
                {"k": self.spec.neighbours.k, "method": self.spec.neighbours.method},
                self.key("embed"),
            )
        elif stage == "project":
            params, upstream = stage_cache.spec_params(self.spec.project), self.key("neighbours")
        else:
            run = self.run_id()
            params = stage_cache.spec_params(self.spec.cluster) | {"run_id": run}
            upstream = self.key("project")
        key = stage_cache.stage_key(stage, params, upstream)
        self._memo.setdefault("keys", {})[stage] = key
        self._memo.setdefault("params", {})[stage] = params
        self._memo.setdefault("upstream", {})[stage] = upstream
        return key

    def run_id(self) -> int | None:
        runs = list_runs(self.project, self.version_id)
        return runs[-1].id if runs else None

    def cached(self, stage: str) -> StageResult | None:
        with self.project.session() as s:
            return stage_cache.find(s, self.key(stage))

    def _record(self, s: Any, stage: str, seconds: float) -> StageResult:
        result = StageResult(
            key=self.key(stage),
            stage=stage,
            version_id=self.version_id,
            params=self._memo["params"][stage],
            input_key=self._memo["upstream"][stage],
            seconds=seconds,
        )
        s.add(result)
        s.flush()
        return result

    # -- stages -------------------------------------------------------------------------------
    def embed(self) -> str:
        hashes = self.rows["_content_hash"].to_list()
        _, embedded, seconds = embed_texts(self.project, self.texts(), hashes, self.spec.embed, self.progress)
        with self.project.session() as s:
            self._record(s, "embed", seconds)
        return f"{embedded:,} texts embedded, {len(hashes) - embedded:,} reused"

    def vectors(self) -> NDArray[np.float32]:
        if "vectors" not in self._memo:
            dtype = (
                self._memo["params"]["embed"]["dtype"] if "embed" in self._memo.get("params", {}) else None
            )
            self.key("embed")
            dtype = self._memo["params"]["embed"]["dtype"]
            with self.project.session() as s:
                set_id = s.scalar(
                    select(EmbeddingSet.id).where(
                        EmbeddingSet.model == self.spec.embed.model, EmbeddingSet.dtype == dtype
                    )
                )
            if set_id is None:
                raise StageInputError("No embeddings yet; run the embed stage first.")
            self._memo["vectors"] = load_vectors(self.project, set_id, self.rows["_content_hash"].to_list())
        return np.asarray(self._memo["vectors"], dtype=np.float32)

    def neighbours(self) -> str:
        start = time.perf_counter()
        idx, dist, method = knn_graph(self.vectors(), self.spec.neighbours, self.progress, self.device)
        with self.project.session() as s:
            result = self._record(s, "neighbours", time.perf_counter() - start)
            s.add(
                NeighbourGraph(
                    stage_id=result.id,
                    k=idx.shape[1],
                    metric="cosine",
                    method=method,
                    indices=pack(idx),
                    distances=pack(dist),
                )
            )
        self._memo["graph"] = (idx, dist)
        return f"{method} k={idx.shape[1]}"

    def graph(self) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        if "graph" not in self._memo:
            with self.project.session() as s:
                g = s.scalar(
                    select(NeighbourGraph).join(StageResult).where(StageResult.key == self.key("neighbours"))
                )
                assert g is not None
            self._memo["graph"] = (
                unpack(g.indices, "int32", g.k).astype(np.int32),
                unpack(g.distances, "float32", g.k).astype(np.float32),
            )
        graph: tuple[NDArray[np.int32], NDArray[np.float32]] = self._memo["graph"]
        return graph

    def project_stage(self) -> str:
        start = time.perf_counter()
        idx, dist = self.graph()
        coords, method = project_2d(self.vectors(), idx, dist, self.spec.project, self.progress)
        with self.project.session() as s:
            result = self._record(s, "project", time.perf_counter() - start)
            s.add(Projection(stage_id=result.id, method=method, coords=pack(coords)))
        self._memo["coords"] = coords
        return method

    def coords(self) -> NDArray[np.float32]:
        if "coords" not in self._memo:
            with self.project.session() as s:
                proj = s.scalar(
                    select(Projection).join(StageResult).where(StageResult.key == self.key("project"))
                )
                assert proj is not None
            self._memo["coords"] = unpack(proj.coords, "float32", 2).astype(np.float32)
        coords: NDArray[np.float32] = self._memo["coords"]
        return coords

    def cluster(self) -> str:
        start = time.perf_counter()
        labels = hdbscan_labels(self.coords(), self.spec.cluster, self.progress)
        wrong = self._wrong()
        rates = cluster_error_rates(labels, wrong)
        keywords = cluster_keywords(self.texts(), labels)
        with self.project.session() as s:
            result = self._record(s, "cluster", time.perf_counter() - start)
            size = resolved_min_cluster_size(self.spec.cluster, len(labels))
            clustering = Clustering(
                stage_id=result.id,
                method=f"hdbscan(min_cluster_size={size})",
                run_id=self.run_id(),
                noise_count=int((labels < 0).sum()),
            )
            s.add(clustering)
            s.flush()
            members: list[dict[str, int]] = []
            for label, rate in rates.items():
                words = keywords.get(label, [])
                row_ids = np.flatnonzero(labels == label)
                c = Cluster(
                    clustering_id=clustering.id,
                    label=label,
                    name=cluster_name(words, label),
                    keywords=words,
                    size=int(row_ids.size),
                    error_rate=rate,
                )
                s.add(c)
                s.flush()
                members.extend({"cluster_id": c.id, "row_id": int(r)} for r in row_ids)
            if members:
                s.execute(insert(ClusterMember), members)
        return f"{len(rates)} clusters, {int((labels < 0).sum()):,} noise rows"

    def _wrong(self) -> NDArray[np.bool_] | None:
        run = self.run_id()
        label = self.version.roles.get("label")
        if run is None or not isinstance(label, str):
            return None
        given = read_rows(self.project, self.version_id, [label])[label].cast(pl.String)
        predicted = read_predictions(self.project, run)["predicted"]
        return np.asarray((given != predicted).fill_null(False).to_numpy(), dtype=bool)


def run_pipeline(
    project: Project,
    version_id: int,
    spec: PipelineSpec | None = None,
    stages: tuple[str, ...] = STAGES,
    progress: Progress | None = None,
    on_stage: Callable[[StageReport], None] | None = None,
) -> list[StageReport]:
    """Run the pipeline on a version up to the last stage named in ``stages``.

    Parameters
    ----------
    project : storage.project.Project
    version_id : int
    spec : PipelineSpec, optional
        Parameters; defaults everywhere.
    stages : tuple of str
        Subset of :data:`STAGES`; earlier stages the last one depends on run too when not cached.
    progress : analysis.progress.Progress, optional
    on_stage : callable, optional
        Called with each :class:`StageReport` as a stage finishes.

    Returns
    -------
    list of StageReport
        One per stage, in order.

    Raises
    ------
    storage.errors.StageInputError
        When the version has no text column (nothing to embed) or a stage name is unknown.
    storage.errors.Cancelled
        When cancelled; finished stages stay cached, the interrupted one leaves nothing.
    """
    unknown = set(stages) - set(STAGES)
    if unknown:
        raise StageInputError(f"Unknown stage(s) {sorted(unknown)}; stages are {', '.join(STAGES)}.")
    progress = progress or NullProgress()
    run = _Run(project, version_id, spec or PipelineSpec(), progress)
    last = max(STAGES.index(s) for s in stages)
    actions: dict[str, Callable[[], str]] = {
        "embed": run.embed,
        "neighbours": run.neighbours,
        "project": run.project_stage,
        "cluster": run.cluster,
    }
    reports = []
    for stage in STAGES[: last + 1]:
        key = run.key(stage)
        progress.message(f"{stage}…")
        hit = run.cached(stage)
        if hit is not None:
            report = StageReport(stage, key, True, 0.0, "cached")
        else:
            start = time.perf_counter()
            detail = actions[stage]()
            report = StageReport(stage, key, False, time.perf_counter() - start, detail)
        reports.append(report)
        if on_stage:
            on_stage(report)
    return reports
