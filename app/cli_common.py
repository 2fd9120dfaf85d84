"""Small helpers shared by the ``strata`` subcommands."""

from __future__ import annotations


def comma_list(text: str | None) -> tuple[str, ...]:
    """``"a, b,c"`` → ``("a", "b", "c")``; empty or None → ``()``."""
    return tuple(part.strip() for part in text.split(",") if part.strip()) if text else ()
