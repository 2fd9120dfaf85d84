"""``disagreement``: annotators disagree, or the annotator confidence is low."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from analysis.errors.registry import batch, error_mode
from analysis.errors.statistics import annotator_disagreement
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("disagreement", "#2ca02c", "Annotators disagree, or the annotator confidence is low.", 11)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    roles = inputs.stage.version.roles
    conf_col = roles.get("label_confidence")
    columns = [c for c in [roles.get("label"), *(roles.get("annotators") or [])] if isinstance(c, str)]
    if len(columns) < 2 and not isinstance(conf_col, str):
        return None
    frame = inputs.stage.read_columns(columns + ([conf_col] if isinstance(conf_col, str) else []))
    votes = [frame[c].cast(pl.String).to_list() for c in columns] if len(columns) >= 2 else []
    confidence = frame[conf_col].cast(pl.Float64).to_numpy() if isinstance(conf_col, str) else None
    mask, score = annotator_disagreement(votes, confidence, spec.min_annotator_confidence)
    return batch("disagreement", mask, score)
