"""Rows per tag: the one count the error panel, the frame and ``strata errors`` show.

A row can carry a tag more than once (an automatic ``label_issue`` that a person also confirmed as
``label_issue``); every count here is of distinct rows, so the views and the command line agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import polars as pl

# A tag nobody described (a row tag whose tag is not in the list given): drawn in storage's default.
UNKNOWN_COLOUR = "#888888"


class TagStyle(Protocol):
    """What a tag's definition gives a count (``storage.tags.TagInfo`` has these)."""

    @property
    def name(self) -> str: ...

    @property
    def colour(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class TagCount:
    """How many rows of a version carry one tag.

    Attributes
    ----------
    name : str
    rows : int
        Distinct rows carrying the tag, from any source.
    share : float
        ``rows`` over the version's rows (0 when it has none).
    kind : str
        ``error_mode``, ``failure_mode`` or ``curation``; ``""`` when the tag's definition was not given.
    sources : tuple of str
        Who tagged its rows, sorted: ``auto``, ``human`` and/or ``rule``.
    colour : str
        The tag's hex colour.
    description : str
    """

    name: str
    rows: int
    share: float
    kind: str
    sources: tuple[str, ...]
    colour: str
    description: str


def tag_counts(tags: pl.DataFrame, n_rows: int, styles: Iterable[TagStyle] = ()) -> list[TagCount]:
    """Distinct rows per tag, most frequent first (ties by name).

    Parameters
    ----------
    tags : polars.DataFrame
        Row tags as ``storage.tags.read_row_tags`` gives them: at least ``row_id`` (int), ``tag`` (str)
        and ``source`` (str); an empty frame without columns is accepted.
    n_rows : int
        Rows in the version (the denominator of ``share``).
    styles : iterable of TagStyle
        Tag definitions (``storage.tags.list_tags``) for kind, colour and description; tags without one
        get kind ``""``, :data:`UNKNOWN_COLOUR` and no description.

    Returns
    -------
    list of TagCount
        Only tags carried by at least one row.
    """
    if tags.is_empty():
        return []
    by_name = {s.name: s for s in styles}
    grouped = (
        tags.group_by("tag")
        .agg(pl.col("row_id").n_unique().alias("rows"), pl.col("source").unique().sort().alias("sources"))
        .sort(["rows", "tag"], descending=[True, False])
    )
    out = []
    for name, rows, sources in grouped.iter_rows():
        style = by_name.get(name)
        out.append(
            TagCount(
                name=name,
                rows=int(rows),
                share=rows / n_rows if n_rows else 0.0,
                kind=style.kind if style else "",
                sources=tuple(s for s in sources if s is not None),
                colour=style.colour if style else UNKNOWN_COLOUR,
                description=style.description if style else "",
            )
        )
    return out
