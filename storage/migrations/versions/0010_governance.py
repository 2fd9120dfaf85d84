"""governance: version approvals, dataset metadata, the failure-mode backlog, PII scans

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 12:00:00

A version is approved (or the approval revoked) with who, when, a note and the data contract's verdict;
overriding a failing contract needs a reason. A dataset carries its owner, licence, source, collection
policy, retention date and risk level. A human tag can be a backlog entry (status, owner, risk, note,
defining slice or cluster). The PII scan made at import keeps its per-column counts.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "version_approval",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        _stamp("at"),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("override", sa.Text(), nullable=True),
        sa.Column("contract", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["dataset_version.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_version_approval_version_id", "version_approval", ["version_id"])
    op.create_table(
        "dataset_meta",
        sa.Column("dataset_id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("licence", sa.String(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("collection_policy", sa.Text(), nullable=False),
        sa.Column("retention_until", sa.String(10), nullable=True),
        sa.Column("risk_level", sa.String(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        _stamp("updated_at"),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "failure_mode",
        sa.Column("tag_id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("risk_level", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("link", sa.String(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        _stamp("updated_at"),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "pii_scan",
        sa.Column("version_id", sa.Integer(), primary_key=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        _stamp("scanned_at"),
        sa.ForeignKeyConstraint(["version_id"], ["dataset_version.id"], ondelete="CASCADE"),
    )


def downgrade() -> None:
    for table in ("pii_scan", "failure_mode", "dataset_meta", "version_approval"):
        op.drop_table(table)
