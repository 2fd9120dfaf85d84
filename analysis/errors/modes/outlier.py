"""``outlier``: among the rows farthest from their k-th nearest neighbour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.errors.registry import batch, error_mode
from analysis.errors.statistics import knn_distance_outliers
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("outlier", "#17becf", "Among the rows farthest from their k-th nearest neighbour.", 8)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    if not inputs.has_text:
        return None
    mask, score = knn_distance_outliers(inputs.stage.graph()[1], spec.outlier_share)
    return batch("outlier", mask, score)
