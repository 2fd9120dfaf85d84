"""Stage ``tokens``: each row's text length in tokens of the bundled model's tokenizer, the unit a
training or review set's cost is counted in (per slice, per export; responses are counted at import).

Counted here rather than at import because it costs about a minute per million short texts on two
cores, which an import should not pay before anyone asks for a map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.generative.tokens import count_tokens
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import Stage, register
from analysis.progress import Progress, check_cancel
from storage.project import Project
from storage.stage_outputs import StageRecord
from storage.token_counts import write_token_counts

CHUNK = 50_000


@dataclass(frozen=True)
class Tokens:
    """int64 (n,) tokens per row, and the tokenizer's model."""

    counts: NDArray[np.int64]
    tokenizer: str


def params(spec: PipelineSpec, inputs: StageInputs) -> dict[str, Any]:
    return {"tokenizer": spec.embed.model}


def run(spec: PipelineSpec, inputs: StageInputs, progress: Progress) -> Tokens:
    texts = inputs.version_texts()
    counts = np.zeros(len(texts), dtype=np.int64)
    progress.message("Counting tokens")
    progress.total(len(texts))
    for start in range(0, len(texts), CHUNK):
        check_cancel(progress)
        chunk = texts[start : start + CHUNK]
        counts[start : start + len(chunk)] = count_tokens(chunk, spec.embed.model)
        progress.advance(len(chunk))
    return Tokens(counts, spec.embed.model)


def write(project: Project, record: StageRecord, result: Tokens) -> None:
    write_token_counts(project, record, result.counts, result.tokenizer)


def describe(result: Tokens) -> str:
    return f"{int(result.counts.sum()):,} tokens in {result.counts.size:,} texts"


STAGE = register(Stage("tokens", None, True, params, run, write, describe))
