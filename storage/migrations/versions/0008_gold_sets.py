"""gold sets: frozen rows and approved changes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 20:00:00

A gold set freezes rows of a version (all of them, or a slice's) by row key with their content hash and
label (DESIGN.md, "Data model": ``gold_set``); a later version or run is scored against it, and any
difference in those rows is a violation. The set changes only through an approval: who, when, a note,
and every row's before and after.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gold_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("slice_name", sa.String(), nullable=True),
        sa.Column("filter", sa.JSON(), nullable=True),
        sa.Column("label_column", sa.String(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["dataset_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "gold_row",
        sa.Column("gold_set_id", sa.Integer(), nullable=False),
        sa.Column("row_key", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["gold_set_id"], ["gold_set.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["dataset_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("gold_set_id", "row_key"),
    )
    op.create_table(
        "gold_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gold_set_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["gold_set_id"], ["gold_set.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["dataset_version.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_gold_approval_gold_set_id", "gold_approval", ["gold_set_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_gold_approval_gold_set_id", table_name="gold_approval")
    op.drop_table("gold_approval")
    op.drop_table("gold_row")
    op.drop_table("gold_set")
