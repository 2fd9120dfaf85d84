"""Short names for crowded axes."""

from __future__ import annotations

import os


def short_names(names: list[str]) -> list[str]:
    """The names without the prefix they share, when that leaves each something
    (``Annotator1``, ``Annotator2`` → ``1``, ``2``)."""
    prefix = os.path.commonprefix(names) if len(names) > 1 else ""  # noqa: RUF071 (not paths)
    rest = [n[len(prefix) :] for n in names]
    return rest if all(rest) else names
