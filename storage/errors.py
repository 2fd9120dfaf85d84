"""Errors a user can act on: each message says what is wrong and what to do."""

from __future__ import annotations


class StrataError(Exception):
    """Base of every error Strata reports to a user instead of a traceback."""


class ProjectError(StrataError):
    """The project file is missing, is not a Strata project, or is newer than this release."""


class InputError(StrataError):
    """An input file cannot be imported as given (format, encoding, columns, values)."""


class StageInputError(StrataError):
    """A pipeline stage lacks what it needs (e.g. a text column to embed)."""


class ProjectBusy(ProjectError):
    """Another process held the project's write lock for longer than the busy timeout."""


class ProjectReadOnly(ProjectError):
    """A write was attempted on a project that cannot be written."""


class DiskFull(StrataError):
    """The disk (or the project's size limit) is full; the failed write was rolled back."""


def database_error(err: BaseException, path: object, *, read_only: bool = False) -> StrataError | None:
    """Turn a database or file-system failure into an error a user can act on.

    Parameters
    ----------
    err : BaseException
        An sqlite3 / SQLAlchemy / OS error.
    path : path-like
        The project file, named in the message.
    read_only : bool
        The project was opened read-only.

    Returns
    -------
    StrataError or None
        ``ProjectReadOnly``, ``ProjectBusy`` or ``DiskFull``; None when ``err`` is none of these.
    """
    import errno

    text = str(err).lower()
    code = getattr(err, "errno", None) or getattr(getattr(err, "orig", None), "errno", None)
    if "readonly database" in text or "read-only" in text or (read_only and "attempt to write" in text):
        return ProjectReadOnly(
            f"{path} is read-only (its file or folder permissions), so this command cannot change it. "
            "Reading commands (info, errors, slices, diff, drift, export) work; to change the project, "
            "make the file and its folder writable or work on a copy."
        )
    if "database is locked" in text or "database table is locked" in text or "busy" in text:
        return ProjectBusy(
            f"{path}: the project is busy in another Strata process (it held the write lock for longer "
            "than Strata waits, 30 s). Try again when that process has finished; nothing was changed."
        )
    if "database or disk is full" in text or code == errno.ENOSPC or "no space left" in text:
        return DiskFull(
            f"The disk holding {path} is full: the last change was rolled back and the project is as it "
            "was before. Free some space and run the command again."
        )
    return None
