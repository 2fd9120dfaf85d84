"""``low_margin``: top-1 minus top-2 probability below the threshold — the model hesitates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.errors.registry import batch, error_mode
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode(
    "low_margin", "#ff7f0e", "Top-1 minus top-2 probability below the threshold: the model hesitates.", 2
)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    model = inputs.model
    if model is None or np.isnan(model.margin).all():
        return None
    margin = model.margin
    return batch("low_margin", np.nan_to_num(margin, nan=1.0) < spec.low_margin, 1.0 - np.nan_to_num(margin))
