"""``template_response``: a near-copy of the run's response to another prompt (template answers, a
sign of mode collapse)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.errors.registry import batch, error_mode
from analysis.generative.templates import template_matches
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode(
    "template_response",
    "#01665e",
    "A near-copy of the run's response to another prompt (template answer).",
    27,
)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    generation = inputs.generation
    if generation is None or not generation.answered.any():
        return None
    partner, similarity = template_matches(inputs, spec.template_similarity)
    found = partner >= 0
    details: list[dict[str, Any] | None] = [
        {"like_row": int(p), "similarity": round(float(s), 4)} if p >= 0 else None
        for p, s in zip(partner, similarity, strict=True)
    ]
    return batch("template_response", found, similarity, details)
