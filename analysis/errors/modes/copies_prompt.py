"""``copies_prompt``: the response mostly repeats the prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.errors.registry import batch, error_mode
from analysis.generative.text_checks import prompt_copy_share
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("copies_prompt", "#bf812d", "The response mostly repeats the prompt's words.", 25)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    generation = inputs.generation
    if generation is None or not inputs.has_text:
        return None
    prompts = inputs.stage.version_texts()
    share = np.array(
        [
            prompt_copy_share(r, p) if a else 0.0
            for r, p, a in zip(generation.responses, prompts, generation.answered, strict=True)
        ]
    )
    return batch("copies_prompt", share >= spec.prompt_copy_share, share)
