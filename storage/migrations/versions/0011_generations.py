"""generations: a generative run's responses and its evaluator's scores

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 18:00:00

A ``generative`` model run holds, per row it answered, the response, its content hash (the key of its
embedding), its token count and the verdict of the run's pass rule (NULL: no verdict); its evaluator
scores are one row per (run, row, score name).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "generation",
        sa.Column("run_id", sa.Integer(), primary_key=True),
        sa.Column("row_id", sa.Integer(), primary_key=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("response_hash", sa.String(), nullable=False),
        sa.Column("response_tokens", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["model_run.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "generation_score",
        sa.Column("run_id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("row_id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["model_run.id"], ondelete="CASCADE"),
    )


def downgrade() -> None:
    for table in ("generation_score", "generation"):
        op.drop_table(table)
