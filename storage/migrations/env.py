"""Alembic environment: migrations run on the engine handed over by ``storage.project``."""

from alembic import context
from sqlalchemy import create_engine

from storage.schema import Base

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url") or "")

with engine.begin() as connection:
    # render_as_batch: SQLite alters tables by copy-and-move, which batch mode writes for us.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
