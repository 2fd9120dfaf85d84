"""``cluster_noise``: in no HDBSCAN cluster."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.errors.registry import batch, error_mode
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("cluster_noise", "#c7c7c7", "In no HDBSCAN cluster.", 9)
def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
    if not inputs.has_text:
        return None
    clusters, _ = inputs.stage.clustering()
    return batch("cluster_noise", clusters < 0, np.ones(inputs.n))
