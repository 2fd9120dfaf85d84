"""A tag run: every requested error mode's detector over inputs loaded once, with the run's notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.errors.registry import registered
from analysis.errors.spec import TagSpec
from analysis.errors.tag_inputs import TagInputs
from analysis.progress import Progress, check_cancel
from storage.errors import StageInputError
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.pipeline.inputs import StageInputs


@dataclass(frozen=True)
class TagRun:
    """The automatic tags of a version: one batch per error mode found, and notes for the report."""

    batches: list[TagBatch]
    notes: list[str]


def tag_rows(spec: TagSpec, stage: StageInputs, progress: Progress) -> TagRun:
    """Run the detector of each mode in ``spec.modes``, in the registry's order.

    Raises
    ------
    StageInputError
        When a mode is not registered.
    Cancelled
        When cancelled between modes.
    """
    modes = registered()
    unknown = set(spec.modes) - {m.name for m in modes}
    if unknown:
        known = ", ".join(m.name for m in modes)
        raise StageInputError(f"Unknown error mode(s) {sorted(unknown)}; modes are {known}.")
    progress.message("Tagging error modes")
    inputs = TagInputs(stage, spec)
    batches = []
    for mode in modes:
        if mode.name in spec.modes:
            found = mode.detect(inputs, spec)
            if found is not None:
                batches.append(found)
            check_cancel(progress)
    return TagRun(batches, inputs.notes)
