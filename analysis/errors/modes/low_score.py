"""``low_score``: in the bottom decile of the run's first evaluator score."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.errors.registry import batch, error_mode
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("low_score", "#d6604d", "In the bottom decile of the run's evaluator score.", 21)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    generation = inputs.generation
    score = generation.outcomes.score if generation is not None else None
    if score is None or np.isnan(score).all():
        return None
    cut = np.nanquantile(score, spec.low_score_quantile)
    low = ~np.isnan(score) & (score <= cut)
    details: list[dict[str, Any] | None] = [
        {"score": round(float(s), 4), "decile_cut": round(float(cut), 4)} for s in score
    ]
    return batch("low_score", low, np.nan_to_num(-score, nan=0.0), details)
