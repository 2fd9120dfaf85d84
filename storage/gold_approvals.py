"""Approvals of gold sets: the only way a gold set changes. Each approval records who, when, a note
and every row's before and after, and is audit-logged; the sets themselves are made and read in
:mod:`storage.gold_sets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import delete, select

from storage.errors import InputError
from storage.gold_sets import GOLD_ROW_SCHEMA, check_gold_rows, insert_gold_rows
from storage.project import Project, current_user
from storage.schema import GoldApproval, GoldRow, GoldSet

ACTIONS = ("accept", "relabel", "remove")


@dataclass(frozen=True)
class GoldApprovalInfo:
    """An approved change of a gold set.

    Attributes
    ----------
    action : str
        ``accept`` (rows taken from a version: added, or their content and label accepted),
        ``relabel`` or ``remove``.
    changes : list of dict
        One per row: ``row_key``, ``before`` and ``after`` (each ``{"content_hash", "label",
        "version_id"}`` or None where the row was absent).
    """

    approval_id: int
    gold_id: int
    action: str
    author: str
    at: datetime | None
    note: str
    version_id: int | None
    changes: list[dict[str, Any]]


def read_approvals(project: Project, gold_id: int) -> list[GoldApprovalInfo]:
    """The approved changes of a gold set, oldest first."""
    with project.session() as s:
        found = s.scalars(
            select(GoldApproval).where(GoldApproval.gold_set_id == gold_id).order_by(GoldApproval.id)
        )
        return [
            GoldApprovalInfo(
                a.id, a.gold_set_id, a.action, a.author, a.at, a.note, a.version_id, list(a.changes)
            )
            for a in found
        ]


def _state(row: tuple[Any, ...] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"content_hash": row[0], "label": row[1], "version_id": row[2]}


def approve_change(
    project: Project,
    gold_id: int,
    action: str,
    note: str,
    *,
    upserts: pl.DataFrame | None = None,
    removals: Sequence[str] = (),
    version_id: int | None = None,
    author: str | None = None,
) -> GoldApprovalInfo:
    """Change a gold set through an approval: rows put in (added or replaced) and rows taken out,
    recorded with who, when, the note and every row's before and after; one transaction, one
    audit-log entry. Rows whose content and label would not change are left out of the record.

    Parameters
    ----------
    action : str
        One of :data:`ACTIONS`: what the approval does, in words the history shows.
    note : str
        Why: required (a gold set does not change without a reason).
    upserts : polars.DataFrame or None
        Rows to put in, :data:`GOLD_ROW_SCHEMA`.
    removals : sequence of str
        Row keys to take out; each must be in the set.
    version_id : int or None
        The version the change was taken from, if any.

    Returns
    -------
    GoldApprovalInfo

    Raises
    ------
    InputError
        For an empty note, an unknown action, a key to remove that the set lacks, a key both put in
        and taken out, a change that changes nothing, or one that would leave the set empty.
    """
    note = note.strip()
    if not note:
        raise InputError("A gold set changes only with a note saying why: give --note.")
    if action not in ACTIONS:
        raise InputError(f"Unknown gold-set change '{action}'; use one of {', '.join(ACTIONS)}.")
    upserts = check_gold_rows(upserts) if upserts is not None else pl.DataFrame(schema=GOLD_ROW_SCHEMA)
    removals = list(dict.fromkeys(removals))
    both = set(removals) & set(upserts["row_key"].to_list())
    if both:
        raise InputError(f"Rows cannot be both changed and removed: {', '.join(sorted(both)[:5])}.")
    author = author or current_user()
    with project.session() as s:
        gold = s.get(GoldSet, gold_id)
        if gold is None:
            raise InputError(f"No gold set {gold_id}.")
        current = {
            key: (h, label, v)
            for key, h, label, v in s.execute(
                select(GoldRow.row_key, GoldRow.content_hash, GoldRow.label, GoldRow.version_id).where(
                    GoldRow.gold_set_id == gold_id
                )
            ).all()
        }
        absent = [k for k in removals if k not in current]
        if absent:
            raise InputError(
                f"The gold set '{gold.name}' has no row {', '.join(repr(k) for k in absent[:5])} to remove."
            )
        changes: list[dict[str, Any]] = []
        replaced: list[tuple[Any, ...]] = []
        for key, h, label, v in upserts.iter_rows():
            before = current.get(key)
            if before is not None and (before[0], before[1]) == (h, label):
                continue
            changes.append({"row_key": key, "before": _state(before), "after": _state((h, label, v))})
            replaced.append((key, h, label, v))
        changes += [{"row_key": k, "before": _state(current[k]), "after": None} for k in removals]
        if not changes:
            raise InputError(
                f"Nothing to change: the gold set '{gold.name}' already holds these rows as given."
            )
        gone = set(removals) | {r[0] for r in replaced}
        left = len(current) - len(set(removals)) + sum(r[0] not in current for r in replaced)
        if left == 0:
            raise InputError(f"This change would leave the gold set '{gold.name}' empty.")
        if gone:
            keys = list(gone)
            for start in range(0, len(keys), 500):  # SQLite's limit on bound parameters
                s.execute(
                    delete(GoldRow).where(
                        GoldRow.gold_set_id == gold_id, GoldRow.row_key.in_(keys[start : start + 500])
                    )
                )
        if replaced:
            insert_gold_rows(s, gold_id, pl.DataFrame(replaced, schema=GOLD_ROW_SCHEMA, orient="row"))
        gold.row_count = left
        gold.revision += 1
        approval = GoldApproval(
            gold_set_id=gold_id,
            action=action,
            author=author,
            note=note,
            version_id=version_id,
            changes=changes,
        )
        s.add(approval)
        s.flush()
        project.log(
            "gold_approve",
            {
                "gold_set": gold.name,
                "action": action,
                "rows": len(changes),
                "revision": gold.revision,
                "version": version_id,
                "note": note,
            },
            s,
            author,
        )
        return GoldApprovalInfo(approval.id, gold_id, action, author, approval.at, note, version_id, changes)
