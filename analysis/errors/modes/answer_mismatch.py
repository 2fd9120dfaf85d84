"""``answer_mismatch``: the response does not give the reference answer (final number, or the
normalised text)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.errors.registry import batch, error_mode
from analysis.generative.answers import answer_matches
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode(
    "answer_mismatch", "#4d4d4d", "The response does not give the reference answer (GSM8K-style match).", 26
)
def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
    generation = inputs.generation
    if generation is None or generation.references is None:
        return None
    wrong = np.array(
        [
            a and ref is not None and not answer_matches(r, ref)
            for r, ref, a in zip(
                generation.responses, generation.references, generation.answered, strict=True
            )
        ],
        dtype=bool,
    )
    return batch("answer_mismatch", wrong, np.ones(inputs.n))
