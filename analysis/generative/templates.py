"""Template answers: responses of one run that are near-copies of its response to another prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from analysis.generative.embeddings import response_vectors
from analysis.map.neighbours import NeighboursSpec, knn_graph

if TYPE_CHECKING:
    from analysis.errors.tag_inputs import TagInputs

NEIGHBOURS = 5


def template_matches(inputs: TagInputs, threshold: float) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Each row's most similar response to a *different* prompt at or above ``threshold``.

    Returns
    -------
    partner : numpy.ndarray
        int64 (n,): the row whose response it nearly copies, -1 for none (and for blank responses).
    similarity : numpy.ndarray
        float64 (n,): that cosine similarity, 0 for none.

    Notes
    -----
    Cosine similarity of the responses' sentence embeddings (the map's model) over the 5 nearest
    responses; rows whose prompts are the same text are not counted as each other's copies.
    """
    generation = inputs.generation
    assert generation is not None
    n = inputs.n
    partner, similarity = np.full(n, -1, dtype=np.int64), np.zeros(n)
    rows = np.flatnonzero(generation.answered & np.array([bool(r.strip()) for r in generation.responses]))
    if rows.size < 2:
        return partner, similarity
    stage = inputs.stage
    vectors = response_vectors(
        stage.project,
        [generation.responses[r] for r in rows],
        [generation.response_hashes[r] for r in rows],
        stage.spec.embed,
        stage.progress,
    )
    idx, dist, _ = knn_graph(vectors, NeighboursSpec(k=NEIGHBOURS), stage.progress, stage.device)
    prompts = np.array(stage.hashes())
    for i, row in enumerate(rows):
        for j, d in zip(idx[i], dist[i], strict=True):
            other = rows[j]
            if 1.0 - d >= threshold and prompts[other] != prompts[row]:
                partner[row], similarity[row] = other, 1.0 - float(d)
                break
    return partner, similarity
