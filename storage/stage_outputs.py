"""Stage outputs, read and written by stage key: the neighbour graph, the 2-D map and the clustering.

A stage result is identified by its cache key (stage, parameters, upstream key). The pipeline reads
the outputs of the keys it computed; the views read the newest output of a stage on a version. Each
writer stores the result record and its output in one transaction, so an output exists whole or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from storage.cluster_names import given_names
from storage.project import Project
from storage.rows import read_query
from storage.runs import NewRun, insert_run
from storage.schema import (
    Cluster,
    Clustering,
    ClusterMember,
    ModelRun,
    NeighbourGraph,
    Projection,
    StageResult,
    utcnow,
)
from storage.vectors import pack, unpack
from storage.versions import get_version


@dataclass(frozen=True)
class StageRecord:
    """A stage run: its key, parameters and upstream key, and how long it took (seconds)."""

    key: str
    stage: str
    version_id: int
    params: dict[str, Any]
    input_key: str
    seconds: float
    created_at: datetime | None = None


@dataclass(frozen=True)
class ClusterInfo:
    """A cluster as the views show it: ``name`` is the name a person gave it
    (:mod:`storage.cluster_names`), else ``auto_name``, the one made from its keywords."""

    cluster_id: int
    label: int
    name: str
    keywords: list[str]
    size: int
    error_rate: float | None
    auto_name: str = ""


@dataclass(frozen=True)
class NewCluster:
    """A cluster to write: its label, name, keywords, member rows and error rate."""

    label: int
    name: str
    keywords: list[str]
    rows: NDArray[np.int64]
    error_rate: float | None


def _record(row: StageResult) -> StageRecord:
    return StageRecord(
        row.key, row.stage, row.version_id, dict(row.params), row.input_key, row.seconds, row.created_at
    )


def find_stage(project: Project, key: str) -> StageRecord | None:
    """The stage result with cache key ``key``, if one was written."""
    with project.session() as s:
        row = s.scalar(select(StageResult).where(StageResult.key == key))
        return None if row is None else _record(row)


def latest_stage(project: Project, version_id: int, stage: str) -> StageRecord | None:
    """The result of ``stage`` on a version that the last pipeline run made or found in the cache."""
    with project.session() as s:
        row = s.scalar(
            select(StageResult)
            .where(StageResult.version_id == version_id, StageResult.stage == stage)
            .order_by(
                func.coalesce(StageResult.used_at, StageResult.created_at).desc(), StageResult.id.desc()
            )
            .limit(1)
        )
        return None if row is None else _record(row)


def touch_stage(project: Project, key: str) -> None:
    """Mark the result under ``key`` as the one in use (a pipeline run found it in the cache)."""
    with project.session() as s:
        s.execute(update(StageResult).where(StageResult.key == key).values(used_at=utcnow()))


def stage_records(
    project: Project, version_id: int | None = None, stage: str | None = None
) -> list[StageRecord]:
    """Stage results, newest first, optionally of one version and / or one stage."""
    query = select(StageResult).order_by(StageResult.id.desc())
    if version_id is not None:
        query = query.where(StageResult.version_id == version_id)
    if stage is not None:
        query = query.where(StageResult.stage == stage)
    with project.session() as s:
        return [_record(r) for r in s.scalars(query)]


def insert_stage(session: Session, record: StageRecord) -> int:
    """Add a stage result in the caller's transaction; return its row id."""
    row = StageResult(
        key=record.key,
        stage=record.stage,
        version_id=record.version_id,
        params=record.params,
        input_key=record.input_key,
        seconds=record.seconds,
    )
    session.add(row)
    session.flush()
    return int(row.id)


def write_stage(project: Project, record: StageRecord) -> None:
    """Record a stage whose output lives elsewhere (embeddings by content hash)."""
    with project.session() as s:
        insert_stage(s, record)


def write_neighbours(
    project: Project,
    record: StageRecord,
    indices: NDArray[np.int32],
    distances: NDArray[np.float32],
    method: str,
) -> None:
    """Store a kNN graph (int32 / float32 arrays of shape (n, k), cosine distance) under its stage key."""
    with project.session() as s:
        stage_id = insert_stage(s, record)
        s.add(
            NeighbourGraph(
                stage_id=stage_id,
                k=indices.shape[1],
                metric="cosine",
                method=method,
                indices=pack(indices),
                distances=pack(distances),
            )
        )


def write_projection(project: Project, record: StageRecord, coords: NDArray[np.float32], method: str) -> None:
    """Store a 2-D map (float32, shape (n, 2)) under its stage key."""
    with project.session() as s:
        stage_id = insert_stage(s, record)
        s.add(Projection(stage_id=stage_id, method=method, coords=pack(coords)))


def write_clustering(
    project: Project,
    record: StageRecord,
    method: str,
    run_id: int | None,
    noise_count: int,
    clusters: list[NewCluster],
) -> None:
    """Store a clustering and its clusters with their member rows under its stage key."""
    with project.session() as s:
        stage_id = insert_stage(s, record)
        clustering = Clustering(stage_id=stage_id, method=method, run_id=run_id, noise_count=noise_count)
        s.add(clustering)
        s.flush()
        members: list[dict[str, int]] = []
        for c in clusters:
            row = Cluster(
                clustering_id=clustering.id,
                label=c.label,
                name=c.name,
                keywords=c.keywords,
                size=int(c.rows.size),
                error_rate=c.error_rate,
            )
            s.add(row)
            s.flush()
            members.extend({"cluster_id": row.id, "row_id": int(r)} for r in c.rows)
        if members:
            s.execute(insert(ClusterMember), members)


def _stage_id(s: Session, key: str) -> int | None:
    found = s.scalar(select(StageResult.id).where(StageResult.key == key))
    return None if found is None else int(found)


def read_neighbours_at(project: Project, key: str) -> tuple[NDArray[np.int32], NDArray[np.float32]] | None:
    """The kNN graph stored under ``key``: int32 indices and float32 distances, shape (n, k)."""
    with project.session() as s:
        graph = s.scalar(select(NeighbourGraph).join(StageResult).where(StageResult.key == key))
        if graph is None:
            return None
        return (
            unpack(graph.indices, "int32", graph.k).astype(np.int32),
            unpack(graph.distances, "float32", graph.k).astype(np.float32),
        )


def read_projection_at(project: Project, key: str) -> tuple[NDArray[np.float32], str] | None:
    """The 2-D map stored under ``key`` (float32, shape (n, 2)) and its method."""
    with project.session() as s:
        proj = s.scalar(select(Projection).join(StageResult).where(StageResult.key == key))
        if proj is None:
            return None
        return unpack(proj.coords, "float32", 2).astype(np.float32), proj.method


def read_clustering_at(
    project: Project, key: str, n_rows: int
) -> tuple[list[ClusterInfo], NDArray[np.int64]] | None:
    """The clustering stored under ``key``: its clusters (largest first, named as a person named them
    where they did) and each row's label (int64 of shape (n_rows,), -1 for noise)."""
    with project.session() as s:
        found = s.execute(
            select(Clustering, StageResult.version_id).join(StageResult).where(StageResult.key == key)
        ).first()
        if found is None:
            return None
        clustering, version_id = found
        rows = list(
            s.scalars(
                select(Cluster).where(Cluster.clustering_id == clustering.id).order_by(Cluster.size.desc())
            )
        )
        clustering_id = int(clustering.id)
    members = read_query(
        project.engine,
        "SELECT m.row_id, c.label FROM cluster_member m JOIN cluster c ON c.id = m.cluster_id "
        f"WHERE c.clustering_id = {clustering_id}",
        {"row_id": pl.Int64, "label": pl.Int64},
    )
    row_ids, member_labels = members["row_id"].to_numpy(), members["label"].to_numpy()
    names = given_names(project, int(version_id), row_ids, member_labels)
    clusters = [
        ClusterInfo(c.id, c.label, names.get(c.label, c.name), list(c.keywords), c.size, c.error_rate, c.name)
        for c in rows
    ]
    labels = np.full(n_rows, -1, dtype=np.int64)
    labels[row_ids] = member_labels
    return clusters, labels


def read_coords(project: Project, version_id: int) -> NDArray[np.float32] | None:
    """The newest 2-D map of a version, float32 of shape (n, 2), or None."""
    latest = latest_stage(project, version_id, "project")
    found = read_projection_at(project, latest.key) if latest else None
    return None if found is None else found[0]


CLUSTERING_STAGES = ("cluster", "cluster_sphere")


def read_clusters(
    project: Project, version_id: int, stage: str = "cluster"
) -> tuple[list[ClusterInfo], NDArray[np.int64] | None]:
    """The newest clustering of a version: clusters (largest first) and row labels (None without one).

    Parameters
    ----------
    project : storage.project.Project
    version_id : int
    stage : str
        The stage that made it: ``cluster`` (HDBSCAN on the 2-D map, -1 for noise) or
        ``cluster_sphere`` (spherical k-means on the vectors, every row labelled).

    Raises
    ------
    ValueError
        When ``stage`` is not one of :data:`CLUSTERING_STAGES`.
    """
    if stage not in CLUSTERING_STAGES:
        raise ValueError(f"'{stage}' makes no clustering; use one of {', '.join(CLUSTERING_STAGES)}.")
    latest = latest_stage(project, version_id, stage)
    found = read_clustering_at(project, latest.key, get_version(project, version_id).rows) if latest else None
    return ([], None) if found is None else found


def read_neighbours(project: Project, version_id: int) -> NDArray[np.int32] | None:
    """The newest neighbour graph of a version, int32 (n, k) row indices, or None."""
    latest = latest_stage(project, version_id, "neighbours")
    found = read_neighbours_at(project, latest.key) if latest else None
    return None if found is None else found[0]


def write_probe_run(project: Project, record: StageRecord, run: NewRun) -> int:
    """Store a probe stage's record and its run in one transaction, replacing the version's earlier
    probe of that name (a probe is remade, never kept beside its successor); return the run's id."""
    with project.session() as s:
        insert_stage(s, record)
        earlier = s.scalars(
            select(ModelRun).where(
                ModelRun.version_id == record.version_id, ModelRun.name == run.name, ModelRun.kind == "probe"
            )
        )
        for row in earlier:
            s.delete(row)
        s.flush()
        run_id = insert_run(s, record.version_id, run)
        project.log("probe_run", {"version": record.version_id, "run": run.name, **(run.details or {})}, s)
        return run_id
