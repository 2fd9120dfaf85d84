"""The PyTorch backend: sentence-transformers itself, float16 on CUDA, float32 on MPS and the CPU."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.map.device import vector_dtype
from analysis.map.encoders.models import model_path
from analysis.map.encoders.registry import Backend, register_encoder
from analysis.progress import Progress, check_cancel

BATCH_SIZE = 64


def load_encoder(model: str, device: str) -> Any:
    """Load a sentence-transformers model from disk with the Hugging Face hub forced offline.

    Parameters
    ----------
    model : str
        The bundled model's name or a local folder (:func:`model_path`).
    device : str
        A resolved torch device.

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


class TorchEncoder:
    """A sentence-transformers model; see :class:`analysis.map.encoders.registry.Encoder`."""

    def __init__(self, model_dir: Path, device: str) -> None:
        self.model = load_encoder(str(model_dir), device)
        self.device = device
        dimension = getattr(self.model, "get_embedding_dimension", None)
        self.dimension = int((dimension or self.model.get_sentence_embedding_dimension)())

    def encode(self, texts: list[str], batch_size: int | None, progress: Progress) -> NDArray[np.float32]:
        """L2-normalised vectors of ``texts`` (n, d) float32, in batches of ``batch_size`` (64)."""
        size = batch_size or BATCH_SIZE
        parts = []
        for begin in range(0, len(texts), size):
            check_cancel(progress)
            batch = texts[begin : begin + size]
            parts.append(
                self.model.encode(
                    batch, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
                ).astype(np.float32, copy=False)
            )
            progress.advance(len(batch))
        if not parts:
            return np.empty((0, self.dimension), dtype=np.float32)
        return np.concatenate(parts)

    def close(self) -> None:
        """Give GPU memory back once the model is no longer needed."""
        del self.model
        if self.device.startswith("cuda"):
            import torch

            torch.cuda.empty_cache()


def _load(model_dir: Path, device: str, _progress: Progress) -> TorchEncoder:
    return TorchEncoder(model_dir, device)


BACKEND = register_encoder(
    Backend(
        name="torch",
        label="PyTorch",
        runs_on=lambda device: True,
        preferred_on=lambda device: True,
        accepts=lambda model_dir: True,
        load=_load,
    )
)
