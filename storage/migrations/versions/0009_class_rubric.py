"""class rubrics: a short text per class of a dataset

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 12:00:00

A rubric says what a class means for the people labelling it ("card_arrival: the customer asks when a
card they ordered arrives; not a lost card"); the review queue shows it next to a suggestion. It
belongs to the dataset (every version shares its classes), edited in place with who and when; the
audit log keeps each edit's before and after.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "class_rubric",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("class_name", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dataset_id", "class_name"),
    )


def downgrade() -> None:
    op.drop_table("class_rubric")
