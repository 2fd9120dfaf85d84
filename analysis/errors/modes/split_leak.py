"""``split_leak``: an exact or near-duplicate group spans train / validation / test (data leakage)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from analysis.errors.duplicates import split_leaks
from analysis.errors.registry import batch, error_mode
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode(
    "split_leak", "#e377c2", "A duplicate group spans train / validation / test splits (data leakage).", 7
)
def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
    split = inputs.stage.version.roles.get("split")
    if not isinstance(split, str):
        return None
    splits = inputs.column(split).cast(pl.String).to_list()
    leak = split_leaks(inputs.exact_groups, splits) | split_leaks(inputs.near[0], splits)
    return batch("split_leak", leak, np.ones(inputs.n))
