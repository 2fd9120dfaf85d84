"""Approvals of dataset versions: who approved a version, when, why, with the contract's verdict then.

A revocation is another entry, so the history stays whole; a version is approved when its newest
entry is an approval. Both go to the audit log too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.errors import InputError
from storage.project import Project, current_user
from storage.schema import DatasetVersion, VersionApproval

ACTIONS = ("approve", "revoke")


@dataclass(frozen=True)
class Approval:
    """One entry of a version's approval history."""

    version_id: int
    action: str
    author: str
    at: datetime
    note: str
    override: str | None
    contract: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "version_id": self.version_id,
            "action": self.action,
            "author": self.author,
            "at": self.at.isoformat(),
            "note": self.note,
            "override": self.override,
            "contract": self.contract,
        }


def _approval(a: VersionApproval) -> Approval:
    return Approval(a.version_id, a.action, a.author, a.at, a.note, a.override, a.contract)


def record_approval(
    project: Project,
    version_id: int,
    action: str,
    note: str,
    *,
    override: str | None = None,
    contract: dict[str, Any] | None = None,
) -> Approval:
    """Append an approval or a revocation of ``version_id`` (and its audit-log entry).

    Parameters
    ----------
    action : {"approve", "revoke"}
    note : str
        Why; required for a revocation.
    override : str, optional
        The reason a failing contract is overridden (the caller decides whether one is needed).
    contract : dict, optional
        The contract's verdict at approval time (name, passed, failed checks).

    Raises
    ------
    InputError
        An unknown action, a revocation without a note, or a version that is not approved.
    ProjectReadOnly, ProjectBusy, DiskFull
        When the project cannot be written; nothing changes.
    """
    if action not in ACTIONS:
        raise InputError(f"Unknown approval action '{action}'; use one of {', '.join(ACTIONS)}.")
    if action == "revoke" and not note.strip():
        raise InputError("Say why the approval is revoked (--note).")
    if action == "revoke" and not is_approved(project, version_id):
        raise InputError("This version is not approved; there is nothing to revoke.")
    with project.session() as s:
        if s.get(DatasetVersion, version_id) is None:
            raise InputError(f"No dataset version {version_id}.")
        entry = VersionApproval(
            version_id=version_id,
            action=action,
            author=current_user(),
            note=note.strip(),
            override=override.strip() if override else None,
            contract=contract,
        )
        s.add(entry)
        s.flush()
        result = _approval(entry)
        detail = {"version": version_id, "note": result.note, "override": result.override}
        project.log(f"version_{action}", detail | {"contract": contract}, s)
    return result


def read_approvals(project: Project, version_id: int) -> list[Approval]:
    """A version's approval history, oldest first."""
    with project.session() as s:
        rows = s.scalars(
            select(VersionApproval)
            .where(VersionApproval.version_id == version_id)
            .order_by(VersionApproval.id)
        )
        return [_approval(a) for a in rows]


def current_approval(project: Project, version_id: int) -> Approval | None:
    """The approval in force for a version (its newest entry, when that is an approval), else None."""
    history = read_approvals(project, version_id)
    return history[-1] if history and history[-1].action == "approve" else None


def is_approved(project: Project, version_id: int) -> bool:
    """Whether the version's newest approval entry is an approval."""
    return current_approval(project, version_id) is not None


def approved_version_ids(project: Project) -> set[int]:
    """The ids of every version whose approval is in force."""
    with project.session() as s:
        rows = s.execute(
            select(VersionApproval.version_id, VersionApproval.action).order_by(VersionApproval.id)
        ).all()
    state: dict[int, str] = {}
    for version_id, action in rows:
        state[version_id] = action
    return {v for v, a in state.items() if a == "approve"}
