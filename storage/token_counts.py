"""The ``tokens`` stage's output: each row's text length in tokens, stored under the stage's key."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from storage.project import Project
from storage.schema import StageResult
from storage.schema_tokens import TokenCounts
from storage.stage_outputs import StageRecord, insert_stage, latest_stage


def write_token_counts(
    project: Project, record: StageRecord, counts: NDArray[np.integer], tokenizer: str
) -> None:
    """Store the record and the counts (shape (n,), any integer dtype; stored as int32) in one transaction."""
    with project.session() as s:
        stage_id = insert_stage(s, record)
        s.add(TokenCounts(stage_id=stage_id, tokenizer=tokenizer, counts=counts.astype("<i4").tobytes()))


def read_token_counts(project: Project, version_id: int) -> NDArray[np.int32] | None:
    """The version's newest token counts, int32 of shape (n,) in row order, or None before the stage ran."""
    latest = latest_stage(project, version_id, "tokens")
    if latest is None:
        return None
    with project.session() as s:
        blob = s.scalar(select(TokenCounts.counts).join(StageResult).where(StageResult.key == latest.key))
    return None if blob is None else np.frombuffer(blob, dtype="<i4").astype(np.int32)
