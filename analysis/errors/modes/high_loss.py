"""``high_loss``: cross-entropy of the given label at or above the threshold."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.errors.registry import batch, error_mode
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("high_loss", "#8c564b", "Cross-entropy of the given label above the threshold.", 3)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    model = inputs.model
    if model is None or np.isnan(model.loss).all():
        return None
    loss = np.nan_to_num(model.loss)
    return batch("high_loss", loss >= spec.high_loss, loss)
