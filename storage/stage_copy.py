"""A relabelled version keeps its parent's map: the texts are the same, so are the embeddings, the
neighbour graph, the 2-D coordinates and the clusters.

Without this, saving review corrections showed the new version with an empty map ("run the pipeline")
and a rerun drew a different UMAP layout of the same texts. The copies get keys of their own (stage
keys are unique per version); a later pipeline run on the new version computes its own keys and
finds the embedding vectors in the content-hash cache.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.schema import Cluster, Clustering, NeighbourGraph, Projection, StageResult

MAP_STAGES = ("embed", "neighbours", "cluster_sphere", "project", "cluster")


def copied_key(key: str, version_id: int) -> str:
    """The key of ``key``'s copy on version ``version_id`` (hex SHA-256, unique per version)."""
    return hashlib.sha256(f"copy:{key}:version:{version_id}".encode()).hexdigest()


def copy_map_stages(session: Session, source_version: int, target_version: int) -> int:
    """Copy the newest result of each map stage of ``source_version`` onto ``target_version``.

    Runs in the caller's transaction. Label-dependent stages (``tag``) are not copied: their results
    change with the labels. Returns the number of stage results copied (0 when the source has no map).
    """
    copied = 0
    for stage in MAP_STAGES:
        row = session.scalar(
            select(StageResult)
            .where(StageResult.version_id == source_version, StageResult.stage == stage)
            .order_by(StageResult.id.desc())
            .limit(1)
        )
        if row is None:
            continue
        twin = StageResult(
            key=copied_key(row.key, target_version),
            stage=row.stage,
            version_id=target_version,
            params=dict(row.params) | {"copied_from": row.key},
            input_key=row.input_key,
            seconds=0.0,
        )
        session.add(twin)
        session.flush()
        _copy_output(session, row.id, twin.id)
        copied += 1
    return copied


def _copy_output(session: Session, old_stage: int, new_stage: int) -> None:
    if (
        graph := session.scalar(select(NeighbourGraph).where(NeighbourGraph.stage_id == old_stage))
    ) is not None:
        session.add(
            NeighbourGraph(
                stage_id=new_stage,
                k=graph.k,
                metric=graph.metric,
                method=graph.method,
                indices=graph.indices,
                distances=graph.distances,
            )
        )
    if (proj := session.scalar(select(Projection).where(Projection.stage_id == old_stage))) is not None:
        session.add(Projection(stage_id=new_stage, method=proj.method, coords=proj.coords))
    clustering = session.scalar(select(Clustering).where(Clustering.stage_id == old_stage))
    if clustering is None:
        return
    twin = Clustering(
        stage_id=new_stage,
        method=clustering.method,
        run_id=clustering.run_id,
        noise_count=clustering.noise_count,
    )
    session.add(twin)
    session.flush()
    for cluster in session.scalars(select(Cluster).where(Cluster.clustering_id == clustering.id)).all():
        copy = Cluster(
            clustering_id=twin.id,
            label=cluster.label,
            name=cluster.name,
            keywords=list(cluster.keywords),
            size=cluster.size,
            error_rate=cluster.error_rate,
        )
        session.add(copy)
        session.flush()
        session.connection().exec_driver_sql(
            "INSERT INTO cluster_member (cluster_id, row_id) SELECT ?, row_id FROM cluster_member "
            "WHERE cluster_id = ?",
            (copy.id, cluster.id),
        )
