"""``refusal``: the response opens with a refusal phrase (an editable list)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.errors.registry import batch, error_mode
from analysis.generative.refusal import is_refusal
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("refusal", "#762a83", "The response opens with a refusal phrase (refusal_phrases.txt).", 23)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    generation = inputs.generation
    if generation is None:
        return None
    refused = np.array([is_refusal(r, spec.refusal_phrases) for r in generation.responses], dtype=bool)
    return batch("refusal", refused & generation.answered, np.ones(inputs.n))
