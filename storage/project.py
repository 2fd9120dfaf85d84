"""Open, create and migrate a project file: one SQLite database (WAL, foreign keys on).

Schema changes go through Alembic migrations (``storage/migrations``); opening an older project file
upgrades it to the current schema, and opening a newer one is refused with a clear message.
"""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import ProjectError
from storage.schema import AuditLog

SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """Return the newest schema revision this release knows.

    Returns
    -------
    str
        Alembic revision identifier of the migration head.
    """
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(create_engine("sqlite://"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


class Project:
    """A Strata project file.

    Parameters
    ----------
    path : pathlib.Path
        Location of the ``*.strata`` file; use :meth:`create` or :meth:`open` rather than this directly.

    Raises
    ------
    storage.errors.ProjectError
        From :meth:`create` when the file exists, from :meth:`open` when it is missing, is not an
        SQLite file, is not a Strata project, or was written by a newer release.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.engine = _make_engine(self.path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def create(cls, path: str | Path) -> Project:
        """Create a new, empty project file at ``path`` with the current schema."""
        p = Path(path)
        if p.exists():
            raise ProjectError(f"{p} already exists; open it, or choose another name.")
        p.parent.mkdir(parents=True, exist_ok=True)
        project = cls(p)
        project._upgrade()
        project.log("create_project", {"path": str(p)})
        return project

    @classmethod
    def open(cls, path: str | Path) -> Project:
        """Open an existing project file, upgrading its schema if it is older than this release."""
        p = Path(path)
        if not p.is_file():
            raise ProjectError(f"{p} does not exist; create it with `strata new {p}`.")
        with p.open("rb") as fh:
            if fh.read(16) != SQLITE_MAGIC:
                raise ProjectError(f"{p} is not a Strata project file (not an SQLite database).")
        project = cls(p)
        with project.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                project.close()
                raise ProjectError(f"{p} is an SQLite file but not a Strata project (no schema version).")
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(_alembic_config(project.engine))
        if current is not None and not _known_revision(script, current):
            project.close()
            raise ProjectError(
                f"{p} has schema {current}, written by a newer Strata; upgrade Strata to open it."
            )
        project._upgrade()
        return project

    @classmethod
    def open_or_create(cls, path: str | Path) -> Project:
        """Open ``path`` if it exists, else create it."""
        return cls.open(path) if Path(path).exists() else cls.create(path)

    def _upgrade(self) -> None:
        from alembic import command

        command.upgrade(_alembic_config(self.engine), "head")

    def schema_revision(self) -> str | None:
        """Return the schema revision recorded in the file."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessions.begin() as s:
            yield s

    def log(
        self,
        action: str,
        detail: dict[str, Any] | None = None,
        session: Session | None = None,
        author: str | None = None,
    ) -> None:
        """Append an entry to the audit log (who did what, when); the author defaults to the login name."""
        entry = AuditLog(author=author or current_user(), action=action, detail=detail or {})
        if session is not None:
            session.add(entry)
            return
        with self.session() as s:
            s.add(entry)

    def close(self) -> None:
        """Release the connections (the file stays as it is)."""
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _known_revision(script: Any, revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def current_user() -> str:
    """Return the login name recorded as author in the audit log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
