"""``length_outlier``: a response far shorter or longer than the run's others (Tukey's fences on
log tokens)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.errors.registry import batch, error_mode
from analysis.generative.text_checks import length_outliers
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("length_outlier", "#35978f", "The response is far shorter or longer than the run's others.", 24)
def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
    generation = inputs.generation
    if generation is None:
        return None
    tokens = generation.outcomes.response_tokens
    side = length_outliers(tokens)
    details: list[dict[str, Any] | None] = [
        {"side": "too long" if s > 0 else "too short", "tokens": int(t)} if s else None
        for s, t in zip(side, np.nan_to_num(tokens), strict=True)
    ]
    return batch("length_outlier", side != 0, np.nan_to_num(tokens), details)
