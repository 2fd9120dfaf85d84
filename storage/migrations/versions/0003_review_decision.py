"""review decisions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["dataset_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "row_id", "tag"),
    )
    op.create_index("ix_review_decision_version_id", "review_decision", ["version_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_review_decision_version_id", table_name="review_decision")
    op.drop_table("review_decision")
