"""``exact_duplicate``: identical content (same content hash) in more than one row."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.errors.registry import batch, error_mode
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("exact_duplicate", "#7f7f7f", "Identical content appears in more than one row.", 5)
def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
    groups = inputs.exact_groups
    return batch("exact_duplicate", groups >= 0, np.ones(inputs.n), [{"group": int(g)} for g in groups])
