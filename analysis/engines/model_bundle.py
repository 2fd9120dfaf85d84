"""The embedding model shipped to a cluster's workers: no worker downloads anything.

The driver packs the model folder and, for a backend that prepares something once (the ONNX backend's
int8 export), that prepared folder; the bundle goes to the workers through Ray's object store, once per
node. A worker unpacks it into a folder named by the bundle's digest under its temporary folder (once
per node: the actors of a node share it) and points Strata's cache there, so the backend finds its
prepared export by the same model digest as on the driver and loads offline.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.map.encoders import Backend
from analysis.map.encoders.onnx_export import cache_root
from analysis.progress import Progress

MODEL = "model"
CACHE = "cache"


@dataclass(frozen=True)
class ModelBundle:
    """A model folder and its prepared files, as bytes by relative path (``model/…``, ``cache/…``).

    Attributes
    ----------
    digest : str
        Hex SHA-256 of every path and content: the folder a worker unpacks it into.
    files : dict of str to bytes
    """

    digest: str
    files: dict[str, bytes]

    @property
    def size(self) -> int:
        """Bytes that go over the wire (once per node)."""
        return sum(len(data) for data in self.files.values())


def pack_model(model_dir: Path, backend: Backend, progress: Progress) -> ModelBundle:
    """Pack ``model_dir`` and what ``backend`` prepared for it (prepared now when missing).

    Raises
    ------
    OSError
        When a file cannot be read.
    """
    # Every file of the model folder, as the backend's cache is keyed by a digest of them all; of the
    # prepared folder only its finished files (not an export under way in a hidden folder).
    paths = {f"{MODEL}/{p.relative_to(model_dir).as_posix()}": p for p in model_dir.rglob("*") if p.is_file()}
    prepared = backend.prepare(model_dir, progress)
    if prepared is not None:
        prefix = f"{CACHE}/{prepared.relative_to(cache_root()).as_posix()}"
        paths |= {f"{prefix}/{p.name}": p for p in prepared.iterdir() if p.is_file() and p.name[0] != "."}
    files: dict[str, bytes] = {}
    digest = hashlib.sha256()
    for name in sorted(paths):
        files[name] = paths[name].read_bytes()
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return ModelBundle(digest.hexdigest(), files)


def unpack_model(bundle: ModelBundle, root: Path | None = None) -> Path:
    """Unpack ``bundle`` under ``root`` (default: the temporary folder) once, point Strata's cache of
    this process at it, and return the model folder.

    Several processes may unpack at once: each writes a private folder and renames it into place; the
    first rename wins and the others use its folder.
    """
    root = root or Path(tempfile.gettempdir()) / "strata-ray"
    final = root / bundle.digest
    if not final.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=root, prefix=".unpack-"))
        for name, data in bundle.files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            os.rename(staging, final)
        except OSError:  # another process of this node unpacked it first
            shutil.rmtree(staging, ignore_errors=True)
    os.environ["STRATA_CACHE_DIR"] = str(final / CACHE)
    return final / MODEL
