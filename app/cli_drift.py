"""``strata drift``: reference vs current as versions, time windows or slices (no Qt)."""

from __future__ import annotations

import argparse
import json
from typing import Any

import polars as pl

from app.cli_common import comma_list
from storage.errors import InputError


def _side(project: Any, version_ref: str | None, where: str | None) -> tuple[Any, Any]:
    from analysis.catalog import resolve_version
    from analysis.slices.filters import evaluate, filter_table
    from analysis.view_frame import load_view_frame
    from app.cli_slices import _version

    version = _version(project, version_ref) if version_ref else resolve_version(project)
    frame = load_view_frame(project, version)
    table = filter_table(frame)
    if where:
        table = table.filter(evaluate(table, {"where": where}))
    table = table.with_columns(_version=pl.lit(version))
    if table.height == 0:
        raise InputError(
            f"No rows in {version_ref or 'the newest version'}{' where ' + where if where else ''}."
        )
    return frame, table


def cmd_drift(args: argparse.Namespace) -> int:
    from analysis.drift import default_columns, domain_classifier_auc, drift_report, mmd_permutation_test
    from analysis.embed import version_vectors
    from storage.project import Project

    with Project.open(args.project) as project:
        ref_frame, reference = _side(project, args.reference, args.reference_where)
        _, current = _side(project, args.current, args.current_where)
        skip = {ref_frame.text_column, ref_frame.roles.get("id"), ref_frame.roles.get("time")}
        columns = list(comma_list(args.columns)) or default_columns(reference, current, skip)
        report: dict[str, Any] = {"reference_rows": reference.height, "current_rows": current.height}
        report["columns"] = [d.as_dict() for d in drift_report(reference, current, columns)]
        if args.embeddings:
            ref_v = version_vectors(
                project, int(reference["_version"][0]), reference["_content_hash"].to_list()
            )
            cur_v = version_vectors(project, int(current["_version"][0]), current["_content_hash"].to_list())
            mmd, p = mmd_permutation_test(ref_v, cur_v)
            auc = domain_classifier_auc(ref_v, cur_v)
            report["embeddings"] = {
                "domain_classifier_auc": auc,
                "drift": auc > 0.55,
                "mmd2": mmd,
                "mmd_p_value": p,
            }
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    print(f"Reference {report['reference_rows']:,} rows, current {report['current_rows']:,} rows")
    for d in report["columns"]:
        print(
            f"  {d['column']:<28} {d['verdict']:<18} {d['test']} {d['statistic']:.3g} "
            f"(threshold {d['threshold']:g})  PSI {d['psi']:.3f}  two-sample p {d['p_value']:.2g}"
        )
    if "embeddings" in report:
        e = report["embeddings"]
        verdict = "drift" if e["drift"] else "no drift"
        print(
            f"  embeddings: domain-classifier AUC {e['domain_classifier_auc']:.3f} ({verdict}), "
            f"MMD p {e['mmd_p_value']:.3g}"
        )
    return 0


def add_parser(sub: Any) -> None:
    """Add ``strata drift``."""
    p = sub.add_parser("drift", help="drift between two versions, time windows or slices")
    p.add_argument("project")
    p.add_argument("--reference", help="version id or dataset:number (default: the newest version)")
    p.add_argument("--current", help="version id or dataset:number (default: the newest version)")
    p.add_argument("--reference-where", help="SQL filter of the reference rows (e.g. a time window)")
    p.add_argument("--current-where", help="SQL filter of the current rows")
    p.add_argument("--columns", help="comma-separated columns (default: all but ids and text)")
    p.add_argument(
        "--embeddings", action="store_true", help="also test the embeddings (needs the embed stage)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_drift)
