"""The error-mode registry: each automatic error mode is a name, a colour, a description for the UI
and a detector ``detect(inputs, spec) -> TagBatch or None``.

Adding an error mode is adding one module under ``analysis/errors/modes/`` that decorates its detector
with :func:`error_mode` (see ``docs/extending.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs

Detector = Callable[["TagInputs", "TagSpec"], TagBatch | None]


@dataclass(frozen=True)
class ErrorMode:
    """An automatic error mode.

    Attributes
    ----------
    name : str
        The tag's name (``misclassified``, ``label_issue``, …).
    colour : str
        Hex colour of the tag in the views.
    description : str
        One sentence for the error-mode panel.
    order : int
        Position in lists and in the default set of modes.
    detect : callable
        ``detect(inputs, spec) -> TagBatch or None`` (None: the mode does not apply to this version).
    """

    name: str
    colour: str
    description: str
    order: int
    detect: Detector


REGISTRY: dict[str, ErrorMode] = {}


def registered() -> list[ErrorMode]:
    """Every registered error mode, in list order."""
    return sorted(REGISTRY.values(), key=lambda m: (m.order, m.name))


def tag_styles() -> dict[str, tuple[str, str]]:
    """Error mode name → (colour, description), in list order: what the tag table stores."""
    return {m.name: (m.colour, m.description) for m in registered()}


def error_mode(name: str, colour: str, description: str, order: int) -> Callable[[Detector], Detector]:
    """Register the decorated function as the detector of error mode ``name``."""

    def register(detect: Detector) -> Detector:
        if name in REGISTRY:
            raise ValueError(f"Error mode '{name}' is registered twice.")
        REGISTRY[name] = ErrorMode(name, colour, description, order, detect)
        return detect

    return register


def batch(
    mode: str,
    mask: NDArray[np.bool_],
    scores: NDArray[np.float64],
    details: list[dict[str, Any] | None] | None = None,
) -> TagBatch:
    """The rows of ``mask`` (bool, shape (n,)) with their scores and details (per row of the version)."""
    rows = np.flatnonzero(mask).astype(np.int64)
    chosen = [details[i] for i in rows] if details is not None else []
    return TagBatch(mode, rows, np.asarray(scores, dtype=np.float64)[rows], chosen)
