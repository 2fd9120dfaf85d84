"""``strata drift``: reference vs current as versions, time windows or slices (no Qt)."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from app.cli_common import comma_list


def cmd_drift(args: argparse.Namespace) -> int:
    from analysis.drift.report import compute_drift, load_side
    from storage.project import Project
    from storage.versions import resolve_version

    with Project.open(args.project) as project:
        versions = [resolve_version(project, ref) for ref in (args.reference, args.current)]
        reference = load_side(project, versions[0], args.reference_where, args.reference or "")
        current = load_side(project, versions[1], args.current_where, args.current or "", reference.frame)
        result = compute_drift(
            project,
            reference,
            current,
            columns=list(comma_list(args.columns)) or None,
            embeddings=args.embeddings,
            every=args.every,
        )
    report = result.as_dict()
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        _print(report)
    return 0


def _print(report: dict[str, Any]) -> None:
    print(f"Reference {report['reference_rows']:,} rows, current {report['current_rows']:,} rows")
    for d in report["columns"]:
        print(
            f"  {d['column']:<28} {d['verdict']:<18} {d['test']} {d['statistic']:.3g} "
            f"(threshold {d['threshold']:g})  PSI {d['psi']:.3f}  two-sample p {d['p_value']:.2g}"
        )
    if report["embeddings"]:
        e = report["embeddings"]
        verdict = "drift" if e["drift"] else "no drift"
        print(
            f"  embeddings: domain-classifier AUC {e['domain_classifier_auc']:.3f} ({verdict}), "
            f"MMD p {e['mmd_p_value']:.3g}"
        )
    if report["clusters"]:
        placed = ", ".join(f"{k} {v:,}" for k, v in report["placement"]["current"].items())
        print(f"Cluster shares on version {report['anchor_version']}'s clusters (current rows: {placed}):")
        for c in report["clusters"][:8]:
            mark = "  significant" if c["significant"] else ""
            print(
                f"  {c['name'][:40]:<40} {c['reference_share']:6.1%} → {c['current_share']:6.1%}"
                f"  ({c['change']:+.1%}){mark}"
            )
    if report["timeline"]:
        print("Over time:")
        for bucket in report["timeline"]:
            when = next(iter(bucket.values()))
            accuracy = bucket.get("accuracy")
            shown = f"  accuracy {accuracy:.1%}" if accuracy is not None and not math.isnan(accuracy) else ""
            js = bucket.get("label_drift_js")
            label = f"  label drift (JS vs first) {js:.3f}" if js is not None else ""
            print(f"  {str(when)[:16]:<16} {bucket['rows']:>7,} rows{shown}{label}")


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
    p.add_argument("--every", help="time bucket for metrics over time, e.g. 1h, 1d, 1w (default: automatic)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_drift)
