"""``judged_failure``: the evaluator failed the response (the run's pass rule)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.errors.registry import batch, error_mode
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("judged_failure", "#b2182b", "The evaluator failed the response (the run's pass rule).", 20)
def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
    generation = inputs.generation
    if generation is None or not generation.outcomes.judged.any():
        return None
    outcomes = generation.outcomes
    failed = outcomes.passed == 0.0
    # ranked by the score when there is one (the lowest first in the views' descending score order)
    scores = -outcomes.score if outcomes.score is not None else np.ones(inputs.n)
    return batch("judged_failure", failed, np.nan_to_num(scores, nan=0.0))
