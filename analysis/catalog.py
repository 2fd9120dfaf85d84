"""Read side of a project: versions, runs, predictions and the frame every view shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import select

from storage.errors import ProjectError
from storage.project import Project
from storage.rows import read_query, read_row_table
from storage.schema import (
    Cluster,
    Clustering,
    Dataset,
    DatasetVersion,
    ModelRun,
    Projection,
    StageResult,
)
from storage.vectors import unpack


@dataclass(frozen=True)
class VersionInfo:
    """A dataset version as listed in the project panel and by ``strata info``."""

    version_id: int
    dataset: str
    number: int
    rows: int
    roles: dict[str, object]
    label_names: list[str]
    source_path: str
    source_sha256: str
    imported_at: datetime | None = None
    note: str = ""


def list_versions(project: Project) -> list[VersionInfo]:
    """Return every dataset version, oldest first."""
    with project.session() as s:
        rows = s.execute(select(DatasetVersion, Dataset.name).join(Dataset).order_by(DatasetVersion.id)).all()
        return [
            VersionInfo(
                v.id,
                name,
                v.number,
                v.row_count,
                v.roles,
                v.label_names,
                v.source_path,
                v.source_sha256,
                v.imported_at,
                v.note or "",
            )
            for v, name in rows
        ]


def resolve_version(project: Project, dataset: str | None = None) -> int:
    """Return the id of the newest version of ``dataset`` (or of the newest dataset).

    Raises
    ------
    ProjectError
        When the project has no dataset, or none with that name.
    """
    versions = [v for v in list_versions(project) if dataset is None or v.dataset == dataset]
    if not versions:
        what = f"no dataset named '{dataset}'" if dataset else "no dataset yet"
        raise ProjectError(f"{project.path} has {what}; import one with `strata import`.")
    return versions[-1].version_id


def get_version(project: Project, version_id: int) -> DatasetVersion:
    """Return the version row (detached), or raise ProjectError."""
    with project.session() as s:
        version = s.get(DatasetVersion, version_id)
    if version is None:
        raise ProjectError(f"No dataset version {version_id} in {project.path}.")
    return version


def read_rows(project: Project, version_id: int, columns: list[str] | None = None) -> pl.DataFrame:
    """Return a version's rows (system columns first) as a polars DataFrame."""
    v = get_version(project, version_id)
    return read_row_table(project.engine, v.row_table, v.column_types, columns)


def list_runs(project: Project, version_id: int) -> list[ModelRun]:
    """Return the model runs on a version, oldest first."""
    with project.session() as s:
        return list(
            s.scalars(select(ModelRun).where(ModelRun.version_id == version_id).order_by(ModelRun.id))
        )


def read_predictions(project: Project, run_id: int) -> pl.DataFrame:
    """Return a run's predictions: ``_row_id``, ``predicted``, ``confidence``, ``margin``, ``loss``."""
    return read_query(
        project.engine,
        "SELECT row_id, predicted_label, confidence, margin, loss FROM prediction "
        f"WHERE run_id = {int(run_id)} ORDER BY row_id",
        {
            "_row_id": pl.Int64,
            "predicted": pl.String,
            "confidence": pl.Float64,
            "margin": pl.Float64,
            "loss": pl.Float64,
        },
    )


def read_probabilities(project: Project, run_id: int) -> NDArray[np.float32] | None:
    """Return a run's class probabilities, float32 of shape (n, n_classes), or None."""
    frame = read_query(
        project.engine,
        f"SELECT probabilities FROM prediction WHERE run_id = {int(run_id)} ORDER BY row_id",
        {"probabilities": pl.Binary},
    )
    blobs = frame["probabilities"]
    if blobs.null_count() == len(blobs):
        return None
    return np.stack([unpack(b, "float32") for b in blobs.to_list()]).astype(np.float32)


def latest_stage(project: Project, version_id: int, stage: str) -> StageResult | None:
    """Return the newest completed result of ``stage`` on a version."""
    with project.session() as s:
        return s.scalar(
            select(StageResult)
            .where(StageResult.version_id == version_id, StageResult.stage == stage)
            .order_by(StageResult.id.desc())
            .limit(1)
        )


def read_coords(project: Project, version_id: int) -> NDArray[np.float32] | None:
    """Return the newest 2-D map of a version, float32 of shape (n, 2), or None."""
    result = latest_stage(project, version_id, "project")
    if result is None:
        return None
    with project.session() as s:
        proj = s.scalar(select(Projection).where(Projection.stage_id == result.id))
    return None if proj is None else unpack(proj.coords, "float32", 2).astype(np.float32)


@dataclass(frozen=True)
class ClusterInfo:
    """A cluster as the clusters view lists it."""

    cluster_id: int
    label: int
    name: str
    keywords: list[str]
    size: int
    error_rate: float | None


def read_clusters(project: Project, version_id: int) -> tuple[list[ClusterInfo], NDArray[np.int64] | None]:
    """Return the newest clustering of a version.

    Returns
    -------
    clusters : list of ClusterInfo
        Largest first.
    labels : numpy.ndarray or None
        int64 of shape (n,): each row's cluster label, -1 for noise; None without a clustering.
    """
    result = latest_stage(project, version_id, "cluster")
    if result is None:
        return [], None
    with project.session() as s:
        clustering = s.scalar(select(Clustering).where(Clustering.stage_id == result.id))
        assert clustering is not None
        rows = s.scalars(
            select(Cluster).where(Cluster.clustering_id == clustering.id).order_by(Cluster.size.desc())
        )
        clusters = [ClusterInfo(c.id, c.label, c.name, c.keywords, c.size, c.error_rate) for c in rows]
        n = get_version(project, version_id).row_count
    members = read_query(
        project.engine,
        "SELECT m.row_id, c.label FROM cluster_member m JOIN cluster c ON c.id = m.cluster_id "
        f"WHERE c.clustering_id = {int(clustering.id)}",
        {"row_id": pl.Int64, "label": pl.Int64},
    )
    labels = np.full(n, -1, dtype=np.int64)
    labels[members["row_id"].to_numpy()] = members["label"].to_numpy()
    return clusters, labels


def read_neighbours(project: Project, version_id: int) -> NDArray[np.int32] | None:
    """Return the newest neighbour graph of a version, int32 (n, k) row indices, or None."""
    from storage.schema import NeighbourGraph

    result = latest_stage(project, version_id, "neighbours")
    if result is None:
        return None
    with project.session() as s:
        graph = s.scalar(select(NeighbourGraph).where(NeighbourGraph.stage_id == result.id))
    return None if graph is None else unpack(graph.indices, "int32", graph.k).astype(np.int32)
