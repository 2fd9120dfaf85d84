"""annotations of several annotators

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 09:00:00

One row per label an annotator gave a row of a version (DESIGN.md, "Data model": ``annotation``), in
the order the file gave them: an annotator who labelled an item twice (ConvAbuse's repeat annotations)
has two rows, the earlier with the lower ``id``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("annotator", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["dataset_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_annotation_version_row", "annotation", ["version_id", "row_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_annotation_version_row", table_name="annotation")
    op.drop_table("annotation")
