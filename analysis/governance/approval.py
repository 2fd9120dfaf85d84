"""Approving a version: its data contract is run first, and a failing one blocks the approval unless
it is overridden with a reason; both the approval and the override are recorded and audited."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.governance.contract import read_contract
from analysis.governance.gate import run_gate
from analysis.governance.results import GateResult
from storage.approvals import record_approval
from storage.errors import InputError
from storage.project import Project


@dataclass(frozen=True)
class ApprovalOutcome:
    """Whether the version was approved, the gate run that decided it, and a sentence for the user."""

    approved: bool
    gate: GateResult | None
    message: str


def approve_version(
    project: Project,
    version_id: int,
    note: str,
    contract_path: str | Path | None = None,
    *,
    override: str | None = None,
) -> ApprovalOutcome:
    """Approve a version after running its contract.

    Parameters
    ----------
    note : str
        Why it is approved (required).
    contract_path : str or Path, optional
        The data contract to run first; without one the approval records that no contract was run.
    override : str, optional
        The reason to approve although the contract fails (or a check cannot run).

    Returns
    -------
    ApprovalOutcome
        ``approved`` False (nothing written) when the contract does not pass and there is no override.

    Raises
    ------
    InputError
        No note, an empty override, or a contract that cannot be read.
    ProjectReadOnly, ProjectBusy, DiskFull
        When the project cannot be written.
    """
    if not note.strip():
        raise InputError("Say why the version is approved (--note), for the audit log.")
    if override is not None and not override.strip():
        raise InputError('An override needs a reason (--override "…").')
    gate = run_gate(project, version_id, read_contract(contract_path)) if contract_path else None
    if gate is not None and not gate.passed and override is None:
        problems = ", ".join(c.check for c in gate.failed + gate.errors)
        return ApprovalOutcome(
            False,
            gate,
            f"Not approved: the contract '{gate.contract}' does not pass ({problems}). Fix the data, or "
            'approve anyway with --override "reason" (recorded in the audit log).',
        )
    summary = gate.summary() if gate is not None else None
    used = override if gate is not None and not gate.passed else None
    record_approval(project, version_id, "approve", note, override=used, contract=summary)
    if gate is None:
        return ApprovalOutcome(True, None, f"Approved version {version_id} without a contract check.")
    how = "overriding the failing" if used else "with the passing"
    return ApprovalOutcome(True, gate, f"Approved {gate.version} {how} contract '{gate.contract}'.")


def revoke_approval(project: Project, version_id: int, note: str) -> None:
    """Revoke a version's approval (``note`` says why; see :func:`storage.approvals.record_approval`)."""
    record_approval(project, version_id, "revoke", note)
