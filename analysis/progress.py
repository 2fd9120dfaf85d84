"""The progress protocol every stage reports to; stages never know who runs them."""

from __future__ import annotations

from typing import Protocol

from storage.errors import StrataError


class Cancelled(StrataError):
    """A job was cancelled by the user; finished stages and embedding chunks are kept for resume."""


class Progress(Protocol):
    """Where a stage reports progress and asks whether to stop.

    ``advance(n)`` adds ``n`` units of work done; ``total(n)`` announces the work of the current step;
    ``message(text)`` names the step; ``cancelled()`` is polled between batches.
    """

    def total(self, n: int) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def message(self, text: str) -> None: ...
    def cancelled(self) -> bool: ...


class NullProgress:
    """A Progress that records nothing and never cancels."""

    def total(self, n: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def message(self, text: str) -> None:
        pass

    def cancelled(self) -> bool:
        return False


def check_cancel(progress: Progress) -> None:
    """Raise :class:`Cancelled` if the runner asked the stage to stop."""
    if progress.cancelled():
        raise Cancelled(
            "Cancelled. Finished stages and the embedding chunks already computed are kept, so running "
            "again resumes from there; the stage that was stopped saved nothing partial."
        )
