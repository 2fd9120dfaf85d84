"""Open, create and migrate a project file: one SQLite database (WAL, foreign keys on).

Schema changes go through Alembic migrations (``storage/migrations``); opening an older project file
upgrades it to the current schema, and opening a newer one is refused with a clear message.

Opening is careful with files that are not ours: the schema is read through a read-only connection
before any pragma or migration touches the file, so another application's SQLite database is never
modified. A project that cannot be written (file or folder permissions) opens read-only, without WAL,
so reading commands work; a write then says why it failed. Writers wait up to
:data:`BUSY_TIMEOUT_S` for one another (SQLite's busy timeout). Encrypted projects use SQLCipher
(:mod:`storage.crypto`).
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from storage.crypto import ask_passphrase, key_pragma, sqlcipher_module
from storage.errors import ProjectError, database_error
from storage.outputs import protected_paths
from storage.schema import AuditLog

SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
STRATA_TABLES = frozenset({"dataset", "dataset_version", "audit_log"})
# Seconds a writer waits for another process's write lock before "the project is busy".
BUSY_TIMEOUT_S = 30.0
# Run on every connection of a writable project (read-only ones skip the journal mode).
CONNECTION_PRAGMAS: tuple[str, ...] = ("PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL")


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


@dataclass(frozen=True)
class _Access:
    """How a project file is to be opened."""

    read_only: bool = False
    immutable: bool = False  # read-only and no WAL file: nobody has it open for writing
    passphrase: str | None = None


def _uri(path: Path, access: _Access) -> str:
    params = [p for p, on in (("mode=ro", access.read_only), ("immutable=1", access.immutable)) if on]
    return path.resolve().as_uri() + ("?" + "&".join(params) if params else "")


def _connect(path: Path, access: _Access, *, key: bool = True) -> Any:
    """A DB-API connection (sqlite3, or sqlcipher3 keyed with the passphrase unless ``key`` is off)."""
    module: Any = sqlite3 if access.passphrase is None else sqlcipher_module()
    conn = module.connect(_uri(path, access), uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    if access.passphrase is not None:
        # A wrong passphrase is reported by ProjectError; SQLCipher's own log lines would only add noise.
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key:
            conn.execute(key_pragma(access.passphrase))
    return conn


def _make_engine(path: Path, access: _Access) -> Engine:
    if access.passphrase is None:
        url = URL.create("sqlite")
    else:  # SQLAlchemy's SQLCipher dialect sends PRAGMA key with the URL's password on each connect
        url = URL.create("sqlite+pysqlcipher", password=access.passphrase)
    engine = create_engine(
        url, creator=lambda: _connect(path, access, key=False), poolclass=QueuePool, future=True
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cur = dbapi_conn.cursor()
        if not access.read_only:
            cur.execute("PRAGMA journal_mode=WAL")
        for pragma in CONNECTION_PRAGMAS:
            cur.execute(pragma)
        cur.close()

    return engine


def _inspect(path: Path, access: _Access) -> tuple[set[str], str | None]:
    """Table names and schema revision, read without changing the file in any way."""
    probe = replace(access, read_only=True)
    try:
        conn = _connect(path, probe)
    except Exception as err:  # sqlite3 / sqlcipher3 errors share no base class
        raise _open_error(path, err, access) from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in tables:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = revision[0] if revision else None
        return tables, revision
    except Exception as err:
        raise _open_error(path, err, access) from None
    finally:
        conn.close()


def _open_error(path: Path, err: Exception, access: _Access) -> ProjectError:
    text = str(err).lower()
    if access.passphrase is not None and ("not a database" in text or "encrypted" in text):
        return ProjectError(
            f"{path} cannot be opened with this passphrase: the passphrase is wrong, or the file is not "
            "an encrypted Strata project. Check STRATA_PASSPHRASE (or the passphrase you typed)."
        )
    if "not a database" in text or "malformed" in text:
        return ProjectError(f"{path} is damaged or not a Strata project ({err}).")
    if "unable to open" in text:
        return ProjectError(
            f"{path} cannot be opened: its folder is read-only and it has unsaved changes in "
            f"{path.name}-wal. Copy the project and its -wal file to a writable folder and open the copy."
        )
    translated = database_error(err, path)
    return translated if isinstance(translated, ProjectError) else ProjectError(f"{path}: {err}")


def _writable(path: Path) -> bool:
    """Whether SQLite can write the file and create its -wal / -shm companions beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


class Project:
    """A Strata project file.

    Parameters
    ----------
    path : pathlib.Path
        Location of the ``*.strata`` file; use :meth:`create` or :meth:`open` rather than this directly.

    Attributes
    ----------
    read_only : bool
        True when the file or its folder cannot be written: reads work, writes raise ProjectError.
    encrypted : bool
        True for a SQLCipher-encrypted project.

    Raises
    ------
    storage.errors.ProjectError
        From :meth:`create` when the file exists, from :meth:`open` when it is missing, is not an
        SQLite file, is not a Strata project, was written by a newer release, or the passphrase of an
        encrypted project is wrong.
    """

    def __init__(self, path: Path, access: _Access | None = None) -> None:
        self.path = Path(path)
        self._access = access or _Access()
        self.read_only = self._access.read_only
        self.encrypted = self._access.passphrase is not None
        self.engine = _make_engine(self.path, self._access)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def create(cls, path: str | Path, *, passphrase: str | None = None) -> Project:
        """Create a new, empty project file at ``path`` with the current schema.

        Parameters
        ----------
        passphrase : str, optional
            Encrypt the file with SQLCipher under this passphrase (it is not stored anywhere).

        Raises
        ------
        ProjectError
            When ``path`` exists, its folder cannot be written, or encryption is not available.
        """
        p = Path(path)
        if p.exists() or p.is_symlink():
            raise ProjectError(f"{p} already exists; open it, or choose another name.")
        if passphrase is not None:
            sqlcipher_module()  # says how to install it when missing
            if not passphrase:
                raise ProjectError("An empty passphrase would not protect anything; choose one.")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ProjectError(f"Cannot create {p}: {err.strerror}. Choose another folder.") from None
        if not os.access(p.parent, os.W_OK | os.X_OK):
            raise ProjectError(f"Cannot create {p}: the folder {p.parent} is not writable.")
        project = cls(p, _Access(passphrase=passphrase))
        try:
            project._upgrade()
            project.log("create_project", {"path": str(p), "encrypted": passphrase is not None})
        except BaseException:
            project.close()
            for companion in protected_paths(p):  # a half-made project is no project
                companion.unlink(missing_ok=True)
            raise
        return project

    @classmethod
    def open(cls, path: str | Path, *, passphrase: str | None = None) -> Project:
        """Open an existing project file, upgrading its schema if it is older than this release.

        The file is checked through a read-only connection first; nothing is changed in a file that
        is not a Strata project. An encrypted project takes ``passphrase``, else the one the
        passphrase provider gives (:func:`storage.crypto.set_passphrase_provider`; by default the
        environment variable ``STRATA_PASSPHRASE``).
        """
        p = Path(path)
        if not p.exists():
            raise ProjectError(f"{p} does not exist; create it with `strata new {p}`.")
        if p.is_dir():
            raise ProjectError(f"{p} is a folder, not a project file.")
        if not os.access(p, os.R_OK):
            raise ProjectError(f"{p} cannot be read (permission denied); check the file's permissions.")
        with p.open("rb") as fh:
            header = fh.read(16)
        if header != SQLITE_MAGIC:
            if len(header) < 16:
                raise ProjectError(
                    f"{p} is not a Strata project file (not an SQLite database: it is empty or too short)."
                )
            passphrase = passphrase if passphrase is not None else ask_passphrase(p)
            if passphrase is None:
                raise ProjectError(
                    f"{p} is not an SQLite database. If it is an encrypted Strata project, give its "
                    "passphrase in the environment variable STRATA_PASSPHRASE (or run interactively "
                    "to be asked)."
                )
            sqlcipher_module()
        else:
            passphrase = None
        read_only = not _writable(p)
        # Without a -wal file no connection has the project open for writing, so a read-only one
        # may open it as immutable: SQLite then creates no -wal / -shm files beside it (which, made
        # by a read-only connection, would be read-only and block the next writer).
        wal = p.with_name(p.name + "-wal")
        access = _Access(read_only=read_only, immutable=read_only and not wal.exists(), passphrase=passphrase)
        tables, current = _inspect(p, access)
        if "alembic_version" not in tables:
            what = f"tables: {', '.join(sorted(tables)[:5])}" if tables else "no tables"
            raise ProjectError(
                f"{p} is an SQLite database but not a Strata project ({what}); Strata left it untouched."
            )
        # A project downgraded to the first revision keeps only an empty alembic_version table.
        if not tables >= STRATA_TABLES and (current is not None or tables != {"alembic_version"}):
            raise ProjectError(
                f"{p} is another application's SQLite database (it has a schema version table but none "
                "of Strata's tables), not a Strata project; Strata left it untouched."
            )
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
        if current is not None and not _known_revision(script, current):
            raise ProjectError(
                f"{p} has schema {current}, written by a newer Strata; upgrade Strata to open it."
            )
        if access.read_only and current != script.get_current_head():
            raise ProjectError(
                f"{p} was written by an older Strata and must be upgraded, but it is read-only; make it "
                "(and its folder) writable, or open a writable copy."
            )
        project = cls(p, access)
        if not access.read_only:
            try:
                project._upgrade()
            except BaseException:
                project.close()
                raise
        return project

    @classmethod
    def open_or_create(cls, path: str | Path) -> tuple[Project, bool]:
        """Open ``path`` if it exists, else create it; also return whether it was created."""
        if Path(path).exists():
            return cls.open(path), False
        return cls.create(path), True

    def _upgrade(self) -> None:
        from alembic import command

        with self._translated():
            command.upgrade(_alembic_config(self.engine), "head")

    def schema_revision(self) -> str | None:
        """Return the schema revision recorded in the file."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (DBAPIError, sqlite3.Error, OSError) as err:
            translated = database_error(err, self.path, read_only=self.read_only)
            if translated is None:
                raise
            raise translated from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error.

        Raises
        ------
        ProjectError
            When the project is read-only, busy in another process past the busy timeout, or the
            disk is full; the transaction is rolled back and the file stays as it was.
        """
        with self._translated(), self._sessions.begin() as s:
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
