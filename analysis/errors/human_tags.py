"""Human tags: the failure-mode taxonomy a team keeps, applied to rows with author, time and note.

Every change is one transaction and one audit-log entry, and returns what is needed to undo it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select

from storage.errors import InputError
from storage.project import Project, current_user
from storage.schema import RowTag, Tag

KINDS = ("failure_mode", "curation", "error_mode")


@dataclass(frozen=True)
class TagInfo:
    """A tag as the views list it."""

    tag_id: int
    name: str
    colour: str
    description: str
    kind: str


def list_tags(project: Project) -> list[TagInfo]:
    """Every tag, automatic error modes and human ones, by name."""
    with project.session() as s:
        return [
            TagInfo(t.id, t.name, t.colour, t.description, t.kind)
            for t in s.scalars(select(Tag).order_by(Tag.name))
        ]


def create_tag(
    project: Project, name: str, colour: str = "#888888", description: str = "", kind: str = "failure_mode"
) -> int:
    """Define a tag; returns its id.

    Raises
    ------
    InputError
        When the name is empty or taken, or the kind unknown.
    """
    name = name.strip()
    if not name:
        raise InputError("A tag needs a name.")
    if kind not in KINDS:
        raise InputError(f"Unknown tag kind '{kind}'; use one of {', '.join(KINDS)}.")
    with project.session() as s:
        if s.scalar(select(Tag.id).where(Tag.name == name)) is not None:
            raise InputError(f"A tag named '{name}' already exists.")
        tag = Tag(name=name, colour=colour, description=description, kind=kind)
        s.add(tag)
        s.flush()
        project.log("create_tag", {"tag": name, "kind": kind}, s)
        return tag.id


def _tag_id(project: Project, name: str) -> int:
    with project.session() as s:
        tag_id = s.scalar(select(Tag.id).where(Tag.name == name))
    if tag_id is None:
        raise InputError(f"No tag named '{name}'; create it first.")
    return int(tag_id)


def apply_tag(
    project: Project,
    version_id: int,
    tag: str,
    row_ids: Iterable[int],
    note: str = "",
    author: str | None = None,
) -> list[int]:
    """Tag rows (those not already carrying the human tag); returns the rows newly tagged.

    Parameters
    ----------
    row_ids : iterable of int
        ``_row_id`` values of the version.
    note : str
        Why, kept with each row tag and in the audit log.
    """
    tag_id = _tag_id(project, tag)
    author = author or current_user()
    wanted = np.unique(np.asarray(list(row_ids), dtype=np.int64))
    with project.session() as s:
        have = set(
            s.scalars(
                select(RowTag.row_id).where(
                    RowTag.version_id == version_id, RowTag.tag_id == tag_id, RowTag.source == "human"
                )
            )
        )
        new = [int(r) for r in wanted if int(r) not in have]
        s.add_all(
            RowTag(
                version_id=version_id,
                row_id=r,
                tag_id=tag_id,
                source="human",
                score=1.0,
                author=author,
                note=note,
            )
            for r in new
        )
        project.log(
            "apply_tag", {"tag": tag, "version": version_id, "rows": len(new), "note": note}, s, author
        )
    return new


def remove_tag(
    project: Project,
    version_id: int,
    tag: str,
    row_ids: Iterable[int],
    note: str = "",
    author: str | None = None,
) -> list[int]:
    """Remove a human tag from rows; returns the rows it was removed from (automatic tags stay)."""
    tag_id = _tag_id(project, tag)
    wanted = [int(r) for r in np.unique(np.asarray(list(row_ids), dtype=np.int64))]
    with project.session() as s:
        condition = (RowTag.version_id == version_id) & (RowTag.tag_id == tag_id) & (RowTag.source == "human")
        present = sorted(set(s.scalars(select(RowTag.row_id).where(condition, RowTag.row_id.in_(wanted)))))
        s.execute(delete(RowTag).where(condition, RowTag.row_id.in_(present)))
        project.log(
            "remove_tag", {"tag": tag, "version": version_id, "rows": len(present), "note": note}, s, author
        )
    return present
