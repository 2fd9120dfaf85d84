"""``near_duplicate``: cosine similarity to another row with different content at or above the threshold."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from analysis.errors.registry import batch, error_mode
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("near_duplicate", "#bcbd22", "Cosine similarity to another row above the threshold.", 6)
def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
    if not inputs.has_text:
        return None
    near, best = inputs.near
    # A group of exact copies only is an exact duplicate, not a near one.
    distinct = (
        pl.DataFrame({"g": near, "h": inputs.stage.hashes()})
        .group_by("g")
        .agg(pl.col("h").n_unique().alias("k"))
    )
    multi = set(distinct.filter((pl.col("g") >= 0) & (pl.col("k") > 1))["g"].to_list())
    return batch("near_duplicate", np.isin(near, list(multi)), best, [{"group": int(g)} for g in near])
