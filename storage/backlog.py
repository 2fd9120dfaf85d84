"""The failure-mode backlog: each failure mode (a human tag of kind ``failure_mode``) with its status,
owner, risk, note and the slice or cluster that defines it. A failure-mode tag nobody has triaged is
listed as open with defaults. Every edit is one audit-log entry with the values before and after."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from sqlalchemy import select

from storage.dataset_meta import RISK_LEVELS
from storage.errors import InputError
from storage.project import Project, current_user
from storage.schema import FailureMode, Tag, utcnow
from storage.slices import read_slices

STATUSES = ("open", "in progress", "fixed", "won't fix")
LINK_KINDS = ("slice", "cluster")


@dataclass(frozen=True)
class BacklogEntry:
    """A failure mode as the backlog lists it."""

    tag: str
    status: str = "open"
    owner: str = ""
    risk_level: str = "medium"
    note: str = ""
    link: str = ""

    @property
    def is_open(self) -> bool:
        """Open or in progress: not yet fixed nor set aside."""
        return self.status in STATUSES[:2]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return asdict(self)


EDITABLE = tuple(f.name for f in fields(BacklogEntry) if f.name != "tag")


def read_backlog(project: Project) -> list[BacklogEntry]:
    """Every failure-mode tag with its backlog entry, by tag name."""
    with project.session() as s:
        rows = s.execute(
            select(Tag.name, FailureMode)
            .outerjoin(FailureMode, FailureMode.tag_id == Tag.id)
            .where(Tag.kind == "failure_mode")
            .order_by(Tag.name)
        ).all()
        return [
            BacklogEntry(name) if fm is None else BacklogEntry(name, **{k: getattr(fm, k) for k in EDITABLE})
            for name, fm in rows
        ]


def _checked(entry: BacklogEntry) -> BacklogEntry:
    if entry.status not in STATUSES:
        raise InputError(f"Status '{entry.status}' is unknown; use one of {', '.join(STATUSES)}.")
    if entry.risk_level not in RISK_LEVELS:
        raise InputError(f"Risk level '{entry.risk_level}' is unknown; use one of {', '.join(RISK_LEVELS)}.")
    kind, _, name = entry.link.partition(":")
    if entry.link and (kind not in LINK_KINDS or not name):
        raise InputError(f"Link '{entry.link}' should be slice:<slice name> or cluster:<cluster name>.")
    return entry


def _check_slice(project: Project, link: str) -> None:
    kind, _, name = link.partition(":")
    slices = read_slices(project)
    if kind == "slice" and name not in slices:
        raise InputError(f"No slice named '{name}'; saved slices: {', '.join(slices) or 'none'}.")


def set_failure_mode(project: Project, tag: str, **changes: Any) -> BacklogEntry:
    """Change a failure mode's backlog entry; returns the entry before (for undo).

    Parameters
    ----------
    tag : str
        The failure-mode tag's name.
    **changes
        Any of :data:`EDITABLE` (status, owner, risk_level, note, link).

    Raises
    ------
    InputError
        No such failure-mode tag (the message lists them), an unknown field, status, risk level or link.
    ProjectReadOnly, ProjectBusy, DiskFull
        When the project cannot be written; nothing changes.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InputError(f"Unknown backlog field {', '.join(sorted(unknown))}; known: {', '.join(EDITABLE)}.")
    entries = {e.tag: e for e in read_backlog(project)}
    if tag not in entries:
        known = ", ".join(entries) or "none yet (create one with `strata tags` or the Tags panel)"
        raise InputError(f"No failure-mode tag '{tag}'; failure modes: {known}.")
    before = entries[tag]
    after = _checked(replace(before, **{k: str(v).strip() for k, v in changes.items()}))
    if after.link != before.link:
        _check_slice(project, after.link)
    if after == before:
        return before
    with project.session() as s:
        tag_id = s.scalars(select(Tag.id).where(Tag.name == tag)).one()
        row = s.get(FailureMode, tag_id)
        if row is None:
            row = FailureMode(tag_id=tag_id)
            s.add(row)
        for name in EDITABLE:
            setattr(row, name, getattr(after, name))
        row.updated_by, row.updated_at = current_user(), utcnow()
        project.log("failure_mode_set", {"tag": tag, "before": asdict(before), "after": asdict(after)}, s)
    return before
