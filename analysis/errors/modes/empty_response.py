"""``empty_response``: blank, or stopped mid-sentence at the run's length cap (truncated)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.errors.registry import batch, error_mode
from analysis.generative.text_checks import truncated
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode(
    "empty_response", "#8c510a", "The response is blank, or cut off mid-sentence at the run's length cap.", 22
)
def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
    generation = inputs.generation
    if generation is None:
        return None
    blank = generation.answered & np.array([not r.strip() for r in generation.responses])
    cut = truncated(generation.responses, generation.outcomes.response_tokens)
    details: list[dict[str, Any] | None] = [
        {"kind": "empty"} if b else {"kind": "truncated"} if c else None
        for b, c in zip(blank, cut, strict=True)
    ]
    return batch("empty_response", blank | cut, np.where(blank, 1.0, 0.5), details)
