"""The map stages: embed, neighbours, project and cluster, each writing its result in one transaction."""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import insert, select

from analysis.catalog import read_rows
from analysis.map.clustering import cluster_error_rates, hdbscan_labels, resolved_min_cluster_size
from analysis.map.embed import embed_texts
from analysis.map.keywords import cluster_keywords, cluster_name
from analysis.map.neighbours import knn_graph
from analysis.map.projection import project_2d
from analysis.pipeline.context import StageContext
from storage.schema import (
    Cluster,
    Clustering,
    ClusterMember,
    DatasetVersion,
    NeighbourGraph,
    Projection,
    StageResult,
)
from storage.vectors import pack, unpack


def embed_stage(ctx: StageContext) -> str:
    """Stage ``embed``: vectors for every text of the version (only missing ones are computed)."""
    hashes = ctx.rows["_content_hash"].to_list()
    _, embedded, seconds = embed_texts(ctx.project, ctx.texts(), hashes, ctx.spec.embed, ctx.progress)
    with ctx.project.session() as s:
        ctx.record(s, "embed", seconds)
    return f"{embedded:,} texts embedded, {len(hashes) - embedded:,} reused"


def neighbours_stage(ctx: StageContext) -> str:
    """Stage ``neighbours``: the kNN graph of the vectors."""
    start = time.perf_counter()
    idx, dist, method = knn_graph(ctx.vectors(), ctx.spec.neighbours, ctx.progress, ctx.device)
    with ctx.project.session() as s:
        result = ctx.record(s, "neighbours", time.perf_counter() - start)
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
    ctx.memo_set("graph", (idx, dist))
    return f"{method} k={idx.shape[1]}"


def project_stage(ctx: StageContext) -> str:
    """Stage ``project``: the 2-D map (taken from another version with the same texts when there is
    one, so that a relabelled version keeps the map its user knows)."""
    start = time.perf_counter()
    reused = _map_of_same_texts(ctx)
    if reused is not None:
        coords, method = reused
    else:
        idx, dist = ctx.graph()
        coords, method = project_2d(ctx.vectors(), idx, dist, ctx.spec.project, ctx.progress)
    with ctx.project.session() as s:
        result = ctx.record(s, "project", time.perf_counter() - start)
        s.add(Projection(stage_id=result.id, method=method.split(" ")[0], coords=pack(coords)))
    ctx.memo_set("coords", coords)
    return method


def _map_of_same_texts(ctx: StageContext) -> tuple[NDArray[np.float32], str] | None:
    """The map of another version of the dataset with the same texts in the same order, made with the
    same embedding model and neighbour and projection parameters; None when there is none."""
    ctx.key("project")
    params = ctx.memo_get("params")
    ours = ctx.rows["_content_hash"]
    with ctx.project.session() as s:
        candidates = s.execute(
            select(StageResult, DatasetVersion.id)
            .join(DatasetVersion, DatasetVersion.id == StageResult.version_id)
            .where(
                StageResult.stage == "project",
                DatasetVersion.dataset_id == ctx.version.dataset_id,
                DatasetVersion.row_count == len(ours),
                DatasetVersion.id != ctx.version_id,
            )
            .order_by(StageResult.id.desc())
        ).all()
        for result, version_id in candidates:
            graph = s.scalar(select(StageResult).where(StageResult.key == result.input_key))
            if graph is None:
                continue
            embed = s.scalar(select(StageResult).where(StageResult.key == graph.input_key))
            if (
                embed is None
                or (result.params, graph.params, embed.params)
                != (params["project"], params["neighbours"], params["embed"])
                or not read_rows(ctx.project, version_id, [])["_content_hash"].equals(ours)
            ):
                continue
            proj = s.scalar(select(Projection).where(Projection.stage_id == result.id))
            if proj is not None:
                coords = unpack(proj.coords, "float32", 2).astype(np.float32)
                return coords, f"{proj.method} (the map of version {version_id}: same texts)"
    return None


def cluster_stage(ctx: StageContext) -> str:
    """Stage ``cluster``: HDBSCAN on the map, named clusters with error rates."""
    start = time.perf_counter()
    labels = hdbscan_labels(ctx.coords(), ctx.spec.cluster, ctx.progress)
    wrong = ctx.wrong()
    rates = cluster_error_rates(labels, wrong)
    keywords = cluster_keywords(ctx.texts(), labels)
    with ctx.project.session() as s:
        result = ctx.record(s, "cluster", time.perf_counter() - start)
        size = resolved_min_cluster_size(ctx.spec.cluster, len(labels))
        clustering = Clustering(
            stage_id=result.id,
            method=f"hdbscan(min_cluster_size={size})",
            run_id=ctx.run_id(),
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
