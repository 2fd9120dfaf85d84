"""``strata drift``: reference vs current as versions, time windows or slices (no Qt)."""

from __future__ import annotations

import argparse
import json
import math
import textwrap
from typing import TYPE_CHECKING, Any

from app.cli_common import comma_list

if TYPE_CHECKING:
    from analysis.drift.report import DriftResult


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
            diversity=args.diversity,
        )
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        _print(result)
    return 0


def _print(result: DriftResult) -> None:
    """The drift view's note, table, cluster shares and class ranking, as text."""
    from analysis.drift.charts import class_series, cluster_shares
    from analysis.drift.summary import drift_summary

    print(textwrap.fill(drift_summary(result), 100))
    for d in result.columns:
        print(
            f"  {d.column:<28} {d.verdict:<18} {d.test} {d.statistic:.3g} "
            f"(threshold {d.threshold:g})  PSI {d.psi:.3f}  two-sample p {d.p_value:.2g}"
        )
    if result.diversity:
        print("Diversity (each side on a sample of the same size, up to 1,000 texts), reference → current:")
        for d in result.diversity:
            mark = "  DROP" if d["dropped"] else ""
            print(
                f"  {d['source'][:28]:<28} {d['measure'].replace('_', ' '):<22} "
                f"{d['reference']:.3f} → {d['current']:.3f}{mark}"
            )
    if result.clusters:
        shares = cluster_shares(result.clusters, top=8)
        print(f"Cluster shares on version {result.anchor_version}'s clusters, largest change first:")
        for i, name in enumerate(shares.names):
            mark = "  significant" if shares.significant[i] else ""
            print(
                f"  {name[:40]:<40} {shares.reference[i]:6.1%} → {shares.current[i]:6.1%}"
                f"  ({shares.change[i]:+.1%}){mark}"
            )
    timeline = result.as_dict()["timeline"]
    if timeline:
        print("Over time:")
        for bucket in timeline:
            when = next(iter(bucket.values()))
            accuracy = bucket.get("accuracy")
            shown = f"  accuracy {accuracy:.1%}" if accuracy is not None and not math.isnan(accuracy) else ""
            js = bucket.get("label_drift_js")
            label = f"  label drift (JS vs first) {js:.3f}" if js is not None else ""
            print(f"  {str(when)[:16]:<16} {bucket['rows']:>7,} rows{shown}{label}")
    if result.class_timeline is not None and not result.class_timeline.is_empty():
        _, classes = class_series(result.class_timeline)
        moved = ", ".join(
            f"{s.name} ({s.recall_range:.0%})" for s in classes[:5] if not math.isnan(s.recall_range)
        )
        print(f"Classes whose recall moved most over time (largest minus smallest per bucket): {moved}")


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
    p.add_argument(
        "--diversity",
        action="store_true",
        help="also measure the diversity of the texts and of each run's responses on both sides",
    )
    p.add_argument("--every", help="time bucket for metrics over time, e.g. 1h, 1d, 1w (default: automatic)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_drift)
