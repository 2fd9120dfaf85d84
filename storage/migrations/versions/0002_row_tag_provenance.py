"""row tag provenance

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 08:49:11.016906
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("row_tag", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.JSON(), nullable=True))
        batch_op.create_index("ix_row_tag_version_tag", ["version_id", "tag_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("row_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_row_tag_version_tag")
        batch_op.drop_column("detail")
        batch_op.drop_column("stage_key")
