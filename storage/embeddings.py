"""Embedding sets: vectors keyed by content hash, one set per (model, dtype, backend), written in chunks.

A version embeds only the texts its set does not hold yet, and an interrupted embed keeps every chunk
already written, so the next run resumes from there. The backend (``torch``, ``onnx``) is part of a
set's identity: an int8 ONNX vector is close to, not equal to, the PyTorch one, and a map must not mix
them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from storage.errors import StageInputError
from storage.project import Project
from storage.schema import EmbeddingChunk, EmbeddingSet
from storage.stage_outputs import latest_stage
from storage.vectors import pack, unpack

DIGEST_BYTES = 16
# The backend of every set made before the backend was recorded (migration 0005).
DEFAULT_BACKEND = "torch"


def find_set(project: Project, model: str, dtype: str, backend: str = DEFAULT_BACKEND) -> int | None:
    """The id of the embedding set of ``model`` computed by ``backend`` and stored as ``dtype``
    (``float32`` / ``float16``), if any."""
    with project.session() as s:
        found = s.scalar(
            select(EmbeddingSet.id).where(
                EmbeddingSet.model == model, EmbeddingSet.dtype == dtype, EmbeddingSet.backend == backend
            )
        )
    return None if found is None else int(found)


def ensure_set(
    project: Project, model: str, dtype: str, dimension: int, device: str, backend: str = DEFAULT_BACKEND
) -> int:
    """The id of the embedding set of (model, dtype, backend), created when there is none."""
    found = find_set(project, model, dtype, backend)
    if found is not None:
        return found
    with project.session() as s:
        created = EmbeddingSet(model=model, dimension=dimension, dtype=dtype, device=device, backend=backend)
        s.add(created)
        s.flush()
        return int(created.id)


def stored_hashes(project: Project, set_id: int) -> set[bytes]:
    """The content digests (16 bytes each) already embedded in the set."""
    with project.session() as s:
        blobs = s.scalars(select(EmbeddingChunk.hashes).where(EmbeddingChunk.set_id == set_id)).all()
    return {b[i : i + DIGEST_BYTES] for b in blobs for i in range(0, len(b), DIGEST_BYTES)}


def write_chunk(project: Project, set_id: int, digests: list[bytes], vectors: NDArray[np.floating]) -> None:
    """Store one chunk: the digests of its texts and their vectors (n, d) in the set's dtype."""
    with project.session() as s:
        s.add(
            EmbeddingChunk(set_id=set_id, count=len(digests), hashes=b"".join(digests), vectors=pack(vectors))
        )


def add_seconds(project: Project, set_id: int, seconds: float) -> None:
    """Add embedding wall time (seconds) to the set's record."""
    with project.session() as s:
        emb = s.get(EmbeddingSet, set_id)
        assert emb is not None
        emb.seconds += seconds


def load_vectors(project: Project, set_id: int, hashes: list[str]) -> NDArray[np.float32]:
    """The vectors of ``hashes`` (hex content hashes) in order, float32 of shape (n, d).

    Raises
    ------
    StageInputError
        When a hash has no vector (the embed stage did not finish).
    """
    with project.session() as s:
        emb = s.get(EmbeddingSet, set_id)
        assert emb is not None
        dtype, dimension = emb.dtype, emb.dimension
        chunks = s.execute(
            select(EmbeddingChunk.hashes, EmbeddingChunk.vectors).where(EmbeddingChunk.set_id == set_id)
        ).all()
    position: dict[bytes, tuple[int, int]] = {}
    for c, (blob, _) in enumerate(chunks):
        for i in range(0, len(blob), DIGEST_BYTES):
            position[blob[i : i + DIGEST_BYTES]] = (c, i // DIGEST_BYTES)
    mats = [unpack(v, dtype, dimension) for _, v in chunks]
    out = np.empty((len(hashes), dimension), dtype=np.float32)
    try:
        for row, h in enumerate(hashes):
            c, i = position[bytes.fromhex(h)]
            out[row] = mats[c][i]
    except KeyError:
        raise StageInputError("Some texts have no embedding yet; run the embed stage again.") from None
    return out


def version_vectors(project: Project, version_id: int, hashes: list[str]) -> NDArray[np.float32]:
    """The vectors of ``hashes`` from the embedding set the version's newest embed stage used.

    Raises
    ------
    StageInputError
        When the version has not been embedded.
    """
    stage = latest_stage(project, version_id, "embed")
    if stage is None:
        raise StageInputError("This version has no embeddings yet: run the pipeline (strata run) first.")
    params = stage.params
    set_id = find_set(project, params["model"], params["dtype"], params.get("backend", DEFAULT_BACKEND))
    if set_id is None:
        raise StageInputError("The embeddings of this version are missing; run the embed stage again.")
    return load_vectors(project, set_id, hashes)
