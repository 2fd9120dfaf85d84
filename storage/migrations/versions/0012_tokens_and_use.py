"""token counts per row, and when a cached stage result was last used

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 10:00:00

``token_counts`` holds the ``tokens`` stage's output: each row's text length in tokens of the bundled
model's tokenizer, an int32 array in row order, under the stage's key. ``stage_result.used_at`` is set
when a pipeline run finds a stage in the cache, so that the views show the result the last run asked
for (a map drawn from the prompts again after one drawn from the responses) rather than the newest
one computed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stage_result", sa.Column("used_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "token_counts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("stage_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("tokenizer", sa.String(), nullable=False),
        sa.Column("counts", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["stage_id"], ["stage_result.id"], ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("token_counts")
    with op.batch_alter_table("stage_result") as batch:
        batch.drop_column("used_at")
