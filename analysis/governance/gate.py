"""The quality gate: run a data contract's checks on one version (``strata check``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from analysis.governance.contract import Contract
from analysis.governance.data_checks import (
    GateInputs,
    duplicate_checks,
    label_checks,
    label_issue_checks,
    leakage_checks,
    null_checks,
    schema_checks,
)
from analysis.governance.history_checks import (
    contamination_checks,
    drift_checks,
    gold_checks,
    governance_checks,
)
from analysis.governance.results import CheckResult, GateResult
from analysis.labeling.gold_report import name_of
from analysis.slices.filters import filter_table
from analysis.view_frame import FrameSource, frame_cache
from storage.project import Project
from storage.stage_outputs import latest_stage
from storage.versions import get_version

CHECKS: tuple[Callable[[GateInputs, Contract], Iterator[CheckResult]], ...] = (
    schema_checks,
    label_checks,
    null_checks,
    duplicate_checks,
    leakage_checks,
    label_issue_checks,
    drift_checks,
    gold_checks,
    contamination_checks,
    governance_checks,
)


def run_gate(
    project: Project, version_id: int, contract: Contract, frames: FrameSource | None = None
) -> GateResult:
    """Run every check the contract declares on a version; it reads and never writes the project.

    Parameters
    ----------
    version_id : int
    contract : Contract
        From :func:`analysis.governance.contract.read_contract`.
    frames : FrameSource, optional
        Where versions' frames come from (:func:`analysis.view_frame.frame_cache`), when the caller
        reads them for other work too.

    Returns
    -------
    GateResult
        The checks in the contract's order of sections; ``exit_code`` 0 (all pass), 1 (a check failed)
        or 2 (none failed, one could not run: it says what is missing).
    """
    version = get_version(project, version_id)
    frames = frames or frame_cache(project)
    tagged = latest_stage(project, version_id, "tag") is not None
    inputs = GateInputs(project, version, filter_table(frames(version_id)), tagged, frames)
    result = GateResult(contract.name, name_of(version), version_id)
    for check in CHECKS:
        result.checks.extend(check(inputs, contract))
    return result
