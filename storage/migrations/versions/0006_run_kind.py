"""model run kind and details

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 22:00:00

A model run records its kind (``classifier``: imported outputs; ``probe``: out-of-fold probabilities
Strata made from the labels) and, for a probe, how it was made (method, folds, seed, accuracy) as JSON.
Every run before this revision was an imported classifier. Columns are added in place (SQLite's ADD
COLUMN): rebuilding ``model_run`` would delete its predictions by ON DELETE CASCADE.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("model_run", sa.Column("kind", sa.String(), nullable=False, server_default="classifier"))
    op.add_column("model_run", sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place, so the predictions stay.
    op.execute("ALTER TABLE model_run DROP COLUMN details")
    op.execute("ALTER TABLE model_run DROP COLUMN kind")
