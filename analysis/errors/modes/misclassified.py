"""``misclassified``: the predicted label differs from the given label (scored by the loss)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.errors.registry import batch, error_mode
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("misclassified", "#d62728", "The predicted label differs from the given label.", 1)
def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
    model = inputs.model
    if model is None:
        return None
    return batch("misclassified", model.wrong, np.where(np.isnan(model.loss), 1.0, model.loss))
