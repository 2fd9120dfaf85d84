"""Tags and row tags: the failure-mode taxonomy, human tags with author, time and note, and the
automatic error-mode tags a tag run writes.

Every human change is one transaction and one audit-log entry, and returns what is needed to undo
it. A tag run replaces the version's previous automatic tags in one transaction; human tags are never
touched by it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.errors import InputError
from storage.project import Project, current_user
from storage.rows import execute_many, read_query
from storage.schema import RowTag, StageResult, Tag
from storage.stage_outputs import StageRecord, insert_stage

KINDS = ("failure_mode", "curation", "error_mode")
# The kinds a person gives a tag; "error_mode" is for the automatic ones.
HUMAN_KINDS = KINDS[:2]


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


def read_row_tags(project: Project, version_id: int) -> pl.DataFrame:
    """Every tag on a version's rows.

    Returns
    -------
    polars.DataFrame
        ``row_id`` (int64), ``tag`` (str), ``source`` (auto|rule|human), ``score`` (float64),
        ``detail`` (JSON text or null), ``author``, ``note``, ``stage_key``.
    """
    return read_query(
        project.engine,
        "SELECT r.row_id, t.name, r.source, r.score, r.detail, r.author, r.note, r.stage_key "
        f"FROM row_tag r JOIN tag t ON t.id = r.tag_id WHERE r.version_id = {int(version_id)} ORDER BY r.id",
        {
            "row_id": pl.Int64,
            "tag": pl.String,
            "source": pl.String,
            "score": pl.Float64,
            "detail": pl.String,
            "author": pl.String,
            "note": pl.String,
            "stage_key": pl.String,
        },
    )


@dataclass
class TagBatch:
    """Automatic tags of one error mode: row ids (int64), scores (float64) and an optional detail per
    row (JSON-ready dict or None), all of the same length."""

    mode: str
    rows: NDArray[np.int64]
    scores: NDArray[np.float64]
    details: list[dict[str, Any] | None] = field(default_factory=list)


def ensure_tags(session: Session, modes: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Create the automatic error-mode tags (name → (colour, description)) if missing; return
    name → tag id of every tag."""
    existing = dict(session.execute(select(Tag.name, Tag.id)).all())
    for name, (colour, description) in modes.items():
        if name not in existing:
            tag = Tag(name=name, colour=colour, description=description, kind="error_mode")
            session.add(tag)
            session.flush()
            existing[name] = tag.id
    return {str(k): int(v) for k, v in existing.items()}


def replace_auto_tags(
    project: Project,
    record: StageRecord,
    batches: Sequence[TagBatch],
    notes: list[str],
    modes: dict[str, tuple[str, str]],
) -> None:
    """Write a tag run: its stage record and its row tags, replacing the version's earlier automatic
    tags and tag runs, in one transaction."""
    with project.session() as s:
        tag_ids = ensure_tags(s, modes)
        s.execute(delete(RowTag).where(RowTag.version_id == record.version_id, RowTag.source == "auto"))
        s.execute(
            delete(StageResult).where(StageResult.version_id == record.version_id, StageResult.stage == "tag")
        )
        insert_stage(s, record)
        note = "; ".join(notes)
        rows = [
            (
                record.version_id,
                int(r),
                tag_ids[b.mode],
                "auto",
                float(sc),
                "strata",
                note,
                record.key,
                None if not b.details or b.details[i] is None else json.dumps(b.details[i]),
            )
            for b in batches
            for i, (r, sc) in enumerate(zip(b.rows, b.scores, strict=True))
        ]
        execute_many(
            s.connection(),
            "INSERT INTO row_tag (version_id, row_id, tag_id, source, score, author, note, stage_key, "
            "detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)",
            rows,
        )
