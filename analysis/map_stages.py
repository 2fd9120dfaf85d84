"""The map stages: embed, neighbours, project and cluster, each writing its result in one transaction."""

from __future__ import annotations

import time

import numpy as np
from sqlalchemy import insert

from analysis.clustering import cluster_error_rates, hdbscan_labels, resolved_min_cluster_size
from analysis.embed import embed_texts
from analysis.keywords import cluster_keywords, cluster_name
from analysis.neighbours import knn_graph
from analysis.projection import project_2d
from analysis.stage_context import StageContext
from storage.schema import Cluster, Clustering, ClusterMember, NeighbourGraph, Projection
from storage.vectors import pack


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
    """Stage ``project``: the 2-D map."""
    start = time.perf_counter()
    idx, dist = ctx.graph()
    coords, method = project_2d(ctx.vectors(), idx, dist, ctx.spec.project, ctx.progress)
    with ctx.project.session() as s:
        result = ctx.record(s, "project", time.perf_counter() - start)
        s.add(Projection(stage_id=result.id, method=method, coords=pack(coords)))
    ctx.memo_set("coords", coords)
    return method


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
