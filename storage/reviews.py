"""Review decisions, stored as they are made: a row kept with **K** stays decided when the tags that
queued it are computed again, and a review can be resumed after a restart."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert

from storage.project import Project, current_user
from storage.schema import ReviewDecision

DECISIONS = ("accept", "keep", "relabel", "skip")


def record_decision(
    project: Project, version_id: int, tag: str, row_id: int, decision: str, label: str | None = None
) -> tuple[str, str | None] | None:
    """Store (or replace) the decision on a row of the ``tag`` queue of a version, audit-logged.

    Returns the decision it replaced as (decision, label), or None, so an undo can restore it.

    Raises
    ------
    ValueError
        ``decision`` is not one of :data:`DECISIONS` (a programming error, not a user's).
    ProjectReadOnly, ProjectBusy, DiskFull
        From the project session.
    """
    if decision not in DECISIONS:
        raise ValueError(f"unknown review decision {decision!r}")
    with project.session() as s:
        found = s.execute(
            select(ReviewDecision.decision, ReviewDecision.label).where(
                ReviewDecision.version_id == version_id,
                ReviewDecision.tag == tag,
                ReviewDecision.row_id == int(row_id),
            )
        ).first()
        previous = (found[0], found[1]) if found is not None else None
        statement = insert(ReviewDecision).values(
            version_id=version_id,
            row_id=int(row_id),
            tag=tag,
            decision=decision,
            label=label,
            author=current_user(),
        )
        s.execute(
            statement.on_conflict_do_update(
                index_elements=["version_id", "row_id", "tag"],
                set_={"decision": decision, "label": label, "author": current_user()},
            )
        )
        project.log(
            "review_decision",
            {"version": version_id, "tag": tag, "row": int(row_id), "decision": decision, "label": label},
            s,
        )
    return previous


def forget_decision(project: Project, version_id: int, tag: str, row_id: int) -> None:
    """Remove the decision on a row (undo of its first decision), audit-logged."""
    with project.session() as s:
        s.execute(
            delete(ReviewDecision).where(
                ReviewDecision.version_id == version_id,
                ReviewDecision.tag == tag,
                ReviewDecision.row_id == int(row_id),
            )
        )
        project.log("review_decision_undone", {"version": version_id, "tag": tag, "row": int(row_id)}, s)


def read_decisions(project: Project, version_id: int, tag: str) -> dict[int, tuple[str, str | None]]:
    """``row_id`` → (decision, label) of the ``tag`` queue of a version."""
    with project.session() as s:
        rows = s.execute(
            select(ReviewDecision.row_id, ReviewDecision.decision, ReviewDecision.label).where(
                ReviewDecision.version_id == version_id, ReviewDecision.tag == tag
            )
        ).all()
    return {int(r): (d, lab) for r, d, lab in rows}


def copy_kept(project: Project, source_version: int, target_version: int) -> int:
    """Carry ``keep`` decisions to a relabelled version (same rows, same ids); returns how many."""
    with project.session() as s:
        result = s.connection().exec_driver_sql(
            "INSERT OR IGNORE INTO review_decision "
            "(version_id, row_id, tag, decision, label, author, decided_at) "
            "SELECT ?, row_id, tag, decision, label, author, decided_at FROM review_decision "
            "WHERE version_id = ? AND decision = 'keep'",
            (target_version, source_version),
        )
        return int(result.rowcount or 0)
