"""embedding backend

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 19:00:00

Embedding sets record the backend that computed them (``torch``, ``onnx``) and are unique per
(model, dtype, backend), so int8 ONNX vectors and PyTorch vectors of one model never mix. Every set
made before this revision was computed by PyTorch.
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# SQLite keeps the unique constraint of 0001 unnamed; batch mode finds it by this name.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s"}
CHUNK_COLUMNS = "id, set_id, count, hashes, vectors"


def upgrade() -> None:
    def alter() -> None:
        with op.batch_alter_table("embedding_set", naming_convention=NAMING) as batch_op:
            batch_op.add_column(sa.Column("backend", sa.String(), nullable=False, server_default="torch"))
            batch_op.drop_constraint("uq_embedding_set_model_dtype", type_="unique")
            batch_op.create_unique_constraint(
                "uq_embedding_set_model_dtype_backend", ["model", "dtype", "backend"]
            )

    _keeping_chunks(alter)


def downgrade() -> None:
    # The old constraint allows one set per (model, dtype): keep the PyTorch sets.
    op.execute(
        "DELETE FROM embedding_chunk WHERE set_id IN (SELECT id FROM embedding_set WHERE backend != 'torch')"
    )
    op.execute("DELETE FROM embedding_set WHERE backend != 'torch'")

    def alter() -> None:
        with op.batch_alter_table("embedding_set", naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint("uq_embedding_set_model_dtype_backend", type_="unique")
            batch_op.drop_column("backend")
            batch_op.create_unique_constraint("uq_embedding_set_model_dtype", ["model", "dtype"])

    _keeping_chunks(alter)


def _keeping_chunks(alter: Callable[[], None]) -> None:
    """Run ``alter`` on ``embedding_set`` without losing its chunks.

    SQLite alters a table by copying it and dropping the old one, and with foreign keys on (they are
    on every project connection, and PRAGMA foreign_keys cannot change inside the migration's
    transaction) the drop deletes every ``embedding_chunk`` row by ON DELETE CASCADE. The chunks are
    kept aside and put back; set ids are copied as they are, so they still match.
    """
    op.execute(f"CREATE TEMP TABLE chunk_keep AS SELECT {CHUNK_COLUMNS} FROM embedding_chunk")
    alter()
    op.execute(f"INSERT INTO embedding_chunk ({CHUNK_COLUMNS}) SELECT {CHUNK_COLUMNS} FROM chunk_keep")
    op.execute("DROP TABLE chunk_keep")
