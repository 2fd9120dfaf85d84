"""Token counts with the bundled embedding model's tokenizer: what a prompt or a response costs."""

from __future__ import annotations

import functools
import os
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.map.embed import BUNDLED_MODEL
from analysis.map.encoders.models import model_path, read_pipeline

BATCH = 4096


@functools.lru_cache(maxsize=2)
def _tokenizer(model: str) -> Any:
    from transformers import AutoTokenizer

    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    transformer = read_pipeline(model_path(model)).transformer
    return AutoTokenizer.from_pretrained(str(transformer), local_files_only=True, use_fast=True)


def count_tokens(texts: list[str], model: str = BUNDLED_MODEL) -> NDArray[np.int64]:
    """Tokens per text with ``model``'s tokenizer (WordPiece for the bundled MiniLM), without special
    tokens and without truncation.

    Parameters
    ----------
    texts : list of str
        n texts.
    model : str
        The bundled model's name or a local sentence-transformers folder.

    Returns
    -------
    numpy.ndarray
        int64 of shape (n,).
    """
    tokenizer = _tokenizer(model)
    counts = np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), BATCH):
        chunk = texts[start : start + BATCH]
        encoded = tokenizer(chunk, add_special_tokens=False, truncation=False, verbose=False)
        counts[start : start + len(chunk)] = [len(ids) for ids in encoded["input_ids"]]
    return counts
