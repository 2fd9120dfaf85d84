"""Writing output files safely: never over the project, never over a file without ``force``.

Every command that writes a file (export, its manifest, the diff's changed cells) goes through
:func:`check_output` and :func:`atomic_write`, so one set of rules holds everywhere:

- the open project file and its companions (``-wal``, ``-shm``, ``-journal``) are never written over,
  with or without ``force`` (it would destroy the project);
- an existing file is replaced only with ``force``; something that is not a regular file (a folder,
  ``/dev/...``) is never replaced;
- the file appears whole or not at all (a temporary file in the same folder, fsync, then rename);
- a replaced file keeps its permissions, and a new one gets the user's umask (``mkstemp`` alone would
  leave 0600).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from storage.errors import InputError

COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def protected_paths(project_path: Path) -> list[Path]:
    """The project file and the companions SQLite keeps beside it."""
    return [project_path.with_name(project_path.name + s) for s in COMPANION_SUFFIXES]


def check_output(path: str | Path, *, force: bool = False, protected: Iterable[Path] = ()) -> Path:
    """Check that ``path`` may be written, before any work is done.

    Parameters
    ----------
    path : str or pathlib.Path
        Where the file is to go.
    force : bool, default False
        Allow replacing an existing regular file.
    protected : iterable of pathlib.Path
        Files never to write over (the open project and its companions, see :func:`protected_paths`).

    Returns
    -------
    pathlib.Path
        The path to write, with a symbolic link resolved to the file it points to.

    Raises
    ------
    InputError
        When ``path`` is a protected file, a folder or another non-regular file, an existing file
        without ``force``, or in a folder that cannot be written.
    """
    p = Path(path).expanduser()
    if str(path).strip() == "":
        raise InputError("No output file given: name the file to write (--out FILE).")
    for guarded in protected:
        if _same_file(p, guarded):
            raise InputError(
                f"{p} is the open project file (or one of its companions); writing there would destroy "
                "the project. Choose another output file."
            )
    if p.is_dir() or p.name in ("", ".", "..") or str(path).endswith(("/", os.sep)):
        raise InputError(f"{p} is a folder; give a file name inside it, e.g. {p / 'subset.parquet'}.")
    if p.exists() or p.is_symlink():
        if not p.exists():
            raise InputError(f"{p} is a broken symbolic link; remove it or choose another output file.")
        if not stat.S_ISREG(p.stat().st_mode):
            raise InputError(f"{p} is not a regular file (a device or pipe); choose a file to write.")
        if not force:
            raise InputError(f"{p} already exists; add --force to overwrite it, or choose another file.")
        p = p.resolve()
    folder = p.parent if str(p.parent) else Path(".")
    existing = next((f for f in [folder, *folder.parents] if f.exists()), Path("/"))
    if not existing.is_dir():
        raise InputError(f"Cannot write {p}: {existing} is a file, not a folder.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"Cannot write {p}: the folder {existing} is not writable. Choose another folder.")
    return p


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(
    path: str | Path,
    write: Callable[[Path], None],
    *,
    force: bool = False,
    protected: Iterable[Path] = (),
) -> Path:
    """Write a file through ``write(tmp_path)`` so that it appears whole or not at all.

    Parameters
    ----------
    path : str or pathlib.Path
        Destination; checked with :func:`check_output`.
    write : callable
        Writes the content to the temporary path it is given.
    force, protected
        As for :func:`check_output`.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError
        From :func:`check_output`, and when the disk is full or the folder cannot be written; no
        partial file is left.
    """
    p = check_output(path, force=force, protected=protected)
    previous = p.stat().st_mode & 0o7777 if p.exists() else None
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except OSError as err:
        raise InputError(f"Cannot write {p}: {err.strerror}. Choose another folder.") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, previous if previous is not None else 0o666 & ~_umask())
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        if err.errno == errno.ENOSPC:
            raise InputError(
                f"The disk is full: {p} was not written. Free some space and try again."
            ) from None
        raise InputError(f"Cannot write {p}: {err.strerror or err}.") from None
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if "No space left on device" in str(err):  # writers that wrap the OSError (polars, pyarrow)
            raise InputError(
                f"The disk is full: {p} was not written. Free some space and try again."
            ) from None
        raise
    return p
