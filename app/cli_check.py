"""``strata check`` (the quality gate) and ``strata approve`` (approval of a version), no Qt."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.governance.results import GateResult


def print_gate(result: GateResult) -> None:
    """Each check with its figure, threshold and verdict, then the overall verdict."""
    print(f"Contract '{result.contract}' on {result.version}:")
    for c in result.checks:
        print(f"  {c.verdict:<5} {c.check:<30} {c.shown_figure:>12}  (threshold {c.threshold})")
        if c.detail and c.passed is not True:
            print(f"        {c.detail}")
    verdict = {0: "PASSED", 1: "FAILED", 2: "COULD NOT RUN"}[result.exit_code]
    counts = (
        f"{len(result.checks) - len(result.failed) - len(result.errors)} passed, {len(result.failed)} failed"
    )
    print(f"{verdict}: {counts}, {len(result.errors)} could not run.")


def cmd_check(args: argparse.Namespace) -> int:
    from analysis.governance.contract import read_contract
    from analysis.governance.gate import run_gate
    from analysis.governance.junit import junit_xml
    from storage.outputs import atomic_write, check_output, protected_paths
    from storage.project import Project
    from storage.versions import resolve_version

    contract = read_contract(args.contract)
    with Project.open(args.project) as project:
        guarded = protected_paths(project.path)
        if args.junit:
            check_output(args.junit, force=args.force, protected=guarded)
        result = run_gate(project, resolve_version(project, args.version or args.dataset), contract)
    if args.junit:
        xml = junit_xml(result)
        atomic_write(
            args.junit, lambda tmp: tmp.write_text(xml, encoding="utf-8"), force=args.force, protected=guarded
        )
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        print_gate(result)
    return result.exit_code


def cmd_approve(args: argparse.Namespace) -> int:
    from analysis.governance.approval import approve_version, revoke_approval
    from storage.project import Project
    from storage.versions import resolve_version

    with Project.open(args.project) as project:
        version_id = resolve_version(project, args.version or args.dataset)
        if args.revoke:
            revoke_approval(project, version_id, args.note or "")
            print(f"Revoked the approval of version {version_id}.")
            return 0
        outcome = approve_version(project, version_id, args.note or "", args.contract, override=args.override)
    if outcome.gate is not None:
        print_gate(outcome.gate)
    print(outcome.message)
    return 0 if outcome.approved else 1


def _version_arguments(p: Any) -> None:
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name (default: the newest); its newest version")
    p.add_argument("--version", help="a version: dataset:number or its id (default: the dataset's newest)")


def add_parser(sub: Any) -> None:
    """Register ``strata check`` and ``strata approve``."""
    p = sub.add_parser(
        "check",
        help="run a data contract's checks on a version; exit 0 pass, 1 a check failed, 2 could not run",
    )
    _version_arguments(p)
    p.add_argument("--contract", required=True, help="the data contract (TOML; docs/contract.md)")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.add_argument("--junit", metavar="FILE", help="also write the checks as JUnit XML for CI")
    p.add_argument("--force", action="store_true", help="replace the --junit file if it exists")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("approve", help="approve a version (its contract must pass, or give --override)")
    _version_arguments(p)
    p.add_argument("--note", help="why it is approved (required) or revoked")
    p.add_argument("--contract", help="the data contract the version must pass before approval")
    p.add_argument(
        "--override", metavar="REASON", help="approve although the contract fails, for this reason"
    )
    p.add_argument("--revoke", action="store_true", help="revoke the version's approval")
    p.set_defaults(func=cmd_approve)
