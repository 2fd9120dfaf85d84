"""SQLAlchemy 2.0 schema of the project file (DESIGN.md, "Data model").

Row data of a dataset version lives in a table of its own (``rows_<version id>``), created at import
with the file's columns; every other table is declared here. Arrays (probabilities, vectors,
coordinates) are stored as little-endian float32/float16 BLOBs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema_base import Base as Base  # re-exported: importing it from here registers every table


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class Dataset(Base):
    __tablename__ = "dataset"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DatasetVersion(Base):
    __tablename__ = "dataset_version"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    source_path: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    row_count: Mapped[int] = mapped_column(Integer)
    # roles: {"id": col|None, "text": col|None, "label": col|None, "time": ..., "split": ..., "group": ...,
    #         "annotators": [cols]}; column_types: {column: polars dtype string} for faithful read-back.
    roles: Mapped[dict[str, Any]] = mapped_column(JSON)
    column_types: Mapped[dict[str, Any]] = mapped_column(JSON)
    label_names: Mapped[list[Any]] = mapped_column(JSON, default=list)
    row_table: Mapped[str] = mapped_column(String)
    note: Mapped[str] = mapped_column(Text, default="")


class ModelRun(Base):
    __tablename__ = "model_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String)
    label_names: Mapped[list[Any]] = mapped_column(JSON)
    source_path: Mapped[str] = mapped_column(Text)
    has_probabilities: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String, default="classifier", server_default="classifier")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Prediction(Base):
    __tablename__ = "prediction"
    run_id: Mapped[int] = mapped_column(ForeignKey("model_run.id", ondelete="CASCADE"), primary_key=True)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    predicted_label: Mapped[str | None] = mapped_column(String)
    confidence: Mapped[float | None] = mapped_column(Float)
    margin: Mapped[float | None] = mapped_column(Float)
    loss: Mapped[float | None] = mapped_column(Float)
    probabilities: Mapped[bytes | None] = mapped_column(LargeBinary)


class EmbeddingSet(Base):
    """Vectors of one model run by one backend (``torch``, ``onnx``), keyed by content hash, shared by
    every version of every dataset."""

    __tablename__ = "embedding_set"
    __table_args__ = (UniqueConstraint("model", "dtype", "backend"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String)
    dimension: Mapped[int] = mapped_column(Integer)
    dtype: Mapped[str] = mapped_column(String)
    device: Mapped[str] = mapped_column(String)
    backend: Mapped[str] = mapped_column(String, default="torch", server_default="torch")
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EmbeddingChunk(Base):
    """A batch of vectors: ``hashes`` is the concatenated 16-byte content digests, ``vectors`` n×d."""

    __tablename__ = "embedding_chunk"
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("embedding_set.id", ondelete="CASCADE"), index=True)
    count: Mapped[int] = mapped_column(Integer)
    hashes: Mapped[bytes] = mapped_column(LargeBinary)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)


class StageResult(Base):
    """One completed pipeline stage, found again by its key (stage, parameters, input fingerprint)."""

    __tablename__ = "stage_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    stage: Mapped[str] = mapped_column(String)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    input_key: Mapped[str] = mapped_column(String(64))
    seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class NeighbourGraph(Base):
    __tablename__ = "neighbour_graph"
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage_result.id", ondelete="CASCADE"), unique=True)
    k: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String)
    method: Mapped[str] = mapped_column(String)
    indices: Mapped[bytes] = mapped_column(LargeBinary)
    distances: Mapped[bytes] = mapped_column(LargeBinary)


class Projection(Base):
    __tablename__ = "projection"
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage_result.id", ondelete="CASCADE"), unique=True)
    method: Mapped[str] = mapped_column(String)
    coords: Mapped[bytes] = mapped_column(LargeBinary)


class Clustering(Base):
    __tablename__ = "clustering"
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage_result.id", ondelete="CASCADE"), unique=True)
    method: Mapped[str] = mapped_column(String)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("model_run.id", ondelete="SET NULL"))
    noise_count: Mapped[int] = mapped_column(Integer)


class Cluster(Base):
    __tablename__ = "cluster"
    id: Mapped[int] = mapped_column(primary_key=True)
    clustering_id: Mapped[int] = mapped_column(ForeignKey("clustering.id", ondelete="CASCADE"), index=True)
    label: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String)
    keywords: Mapped[list[Any]] = mapped_column(JSON)
    size: Mapped[int] = mapped_column(Integer)
    error_rate: Mapped[float | None] = mapped_column(Float)


class ClusterMember(Base):
    __tablename__ = "cluster_member"
    cluster_id: Mapped[int] = mapped_column(ForeignKey("cluster.id", ondelete="CASCADE"), primary_key=True)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ClusterName(Base):
    """A name a person gave a cluster of a version. The cluster is identified by its member rows
    (``fingerprint``: SHA-256 of the sorted ``_row_id`` values), so the name follows the same rows into
    any clustering of the version that reproduces them, and never lands on a different cluster."""

    __tablename__ = "cluster_name"
    __table_args__ = (UniqueConstraint("version_id", "fingerprint"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String)
    author: Mapped[str] = mapped_column(String, default="")
    renamed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Tag(Base):
    __tablename__ = "tag"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    colour: Mapped[str] = mapped_column(String, default="#888888")
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String, default="failure_mode")


class RowTag(Base):
    """A tag on a row with its provenance: ``source`` auto|rule|human, the stage key for auto tags,
    a score, and ``detail`` (e.g. the suggested label of a label issue, the cluster of an error cluster).
    """

    __tablename__ = "row_tag"
    __table_args__ = (Index("ix_row_tag_version_tag", "version_id", "tag_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True)
    row_id: Mapped[int] = mapped_column(Integer)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String)  # auto | rule | human
    score: Mapped[float | None] = mapped_column(Float)
    author: Mapped[str] = mapped_column(String, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    stage_key: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReviewDecision(Base):
    """A reviewer's decision on a row of a review queue (the queue of ``tag`` on a version): ``accept``
    (the suggested label), ``keep`` (the given label), ``relabel`` (to ``label``) or ``skip``. One per
    (version, row, tag); a later decision replaces it. Kept rows do not come back when tags are rerun."""

    __tablename__ = "review_decision"
    __table_args__ = (UniqueConstraint("version_id", "row_id", "tag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True)
    row_id: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(String)
    decision: Mapped[str] = mapped_column(String)
    label: Mapped[str | None] = mapped_column(String)
    author: Mapped[str] = mapped_column(String, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Slice(Base):
    __tablename__ = "slice"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    filter: Mapped[dict[str, Any]] = mapped_column(JSON)


class Export(Base):
    __tablename__ = "export"
    id: Mapped[int] = mapped_column(primary_key=True)
    filter: Mapped[dict[str, Any]] = mapped_column(JSON)
    path: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String)
    row_count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Annotation(Base):
    """One label an annotator gave a row of a version (several annotators, each once or more: a
    repeat annotation is another row, later ones with higher ``id``)."""

    __tablename__ = "annotation"
    __table_args__ = (Index("ix_annotation_version_row", "version_id", "row_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"))
    row_id: Mapped[int] = mapped_column(Integer)
    annotator: Mapped[str] = mapped_column(String)
    label: Mapped[str] = mapped_column(String)
    labelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class GoldSet(Base):
    """A gold set: rows of a version (all, or a slice's) frozen with their content hashes and labels.

    ``filter`` is the slice filter as it was when the set was made (a later edit of the slice does
    not move the gold set); ``revision`` counts the approved changes since."""

    __tablename__ = "gold_set"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"))
    slice_name: Mapped[str | None] = mapped_column(String, nullable=True)
    filter: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    label_column: Mapped[str | None] = mapped_column(String, nullable=True)
    row_count: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    author: Mapped[str] = mapped_column(String, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class GoldRow(Base):
    """A frozen row of a gold set: its key, content hash and gold label, and the version it was
    frozen from (the set's own version, or the one an approval took it from)."""

    __tablename__ = "gold_row"
    gold_set_id: Mapped[int] = mapped_column(ForeignKey("gold_set.id", ondelete="CASCADE"), primary_key=True)
    row_key: Mapped[str] = mapped_column(String, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String, nullable=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"))


class GoldApproval(Base):
    """An approved change of a gold set: who, when, why (``note``, required) and what changed
    (``changes``: one entry per row key with its content hash and label before and after)."""

    __tablename__ = "gold_approval"
    id: Mapped[int] = mapped_column(primary_key=True)
    gold_set_id: Mapped[int] = mapped_column(ForeignKey("gold_set.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String)
    author: Mapped[str] = mapped_column(String)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="SET NULL"), nullable=True
    )
    changes: Mapped[list[Any]] = mapped_column(JSON)


class ClassRubric(Base):
    """What a class of a dataset means for the people labelling it (shown in the review queue)."""

    __tablename__ = "class_rubric"
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    class_name: Mapped[str] = mapped_column(String, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VersionApproval(Base):
    """An approval (or its revocation) of a dataset version: who, when, why, and the contract's
    verdict at that moment; ``override`` holds the reason when a failing contract was overridden."""

    __tablename__ = "version_approval"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String)
    author: Mapped[str] = mapped_column(String)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    override: Mapped[str | None] = mapped_column(Text, nullable=True)
    contract: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class DatasetMeta(Base):
    """Governance facts of a dataset: who owns it, under which licence, where it came from, how it was
    collected, until when it may be kept, and how risky it is (which orders the review queues)."""

    __tablename__ = "dataset_meta"
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str] = mapped_column(String, default="")
    licence: Mapped[str] = mapped_column(String, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    collection_policy: Mapped[str] = mapped_column(Text, default="")
    retention_until: Mapped[str | None] = mapped_column(String(10), nullable=True)
    risk_level: Mapped[str] = mapped_column(String, default="medium")
    updated_by: Mapped[str] = mapped_column(String, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FailureMode(Base):
    """The backlog entry of a failure mode (a human tag): status, owner, risk, a note and the slice or
    cluster that defines it (``link``: ``slice:<name>`` or ``cluster:<name>``)."""

    __tablename__ = "failure_mode"
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String, default="open")
    owner: Mapped[str] = mapped_column(String, default="")
    risk_level: Mapped[str] = mapped_column(String, default="medium")
    note: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String, default="")
    updated_by: Mapped[str] = mapped_column(String, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PiiScan(Base):
    """The PII scan of a version at import: per column, the count of values matching each kind."""

    __tablename__ = "pii_scan"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), primary_key=True
    )
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    rows: Mapped[int] = mapped_column(Integer)
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# the generative runs' tables live beside this module; imported here so that Base.metadata has them
from storage.schema_generations import Generation, GenerationScore  # noqa: E402, F401
from storage.schema_tokens import TokenCounts  # noqa: E402, F401
