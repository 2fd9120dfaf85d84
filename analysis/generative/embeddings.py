"""Response vectors: embedded with the prompts' model into the same embedding set, keyed by content
hash, so a response shared by runs or versions is embedded once."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from analysis.map.embed import EmbedSpec, embed_texts
from analysis.progress import Progress
from storage.embeddings import load_vectors
from storage.project import Project


def response_vectors(
    project: Project, texts: list[str], hashes: list[str], spec: EmbedSpec, progress: Progress
) -> NDArray[np.float32]:
    """Vectors of ``texts`` (embedding those not stored yet), float32 of shape (m, d), L2-normalised.

    Raises
    ------
    analysis.progress.Cancelled
        When cancelled (the chunks embedded so far are kept).
    storage.errors.StageInputError
        When the model cannot be loaded (:func:`analysis.map.embed.embed_texts`).
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    set_id, _, _ = embed_texts(project, texts, hashes, spec, progress)
    return load_vectors(project, set_id, hashes)
