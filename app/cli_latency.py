"""``strata latency`` (no Qt): how long labels took each annotator and how long items waited for one,
per annotator and over time (:mod:`analysis.labeling.latency`). Needs annotations imported with
``--labelled-at``; waits need the items' created-at times (``--created-at COLUMN``, by default the
dataset's time column)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli_common import positive_int


def cmd_latency(args: argparse.Namespace) -> int:
    import polars as pl

    from analysis.labeling.latency import readable_seconds as secs
    from analysis.labeling.latency import version_latency
    from storage.project import Project
    from storage.versions import get_version, resolve_version

    with Project.open(args.project) as project:
        version = get_version(project, resolve_version(project, args.version))
        report = version_latency(project, version.version_id, args.created_at, float(args.idle))
    if args.json:
        print(
            json.dumps(
                {
                    "version": f"{version.dataset}:{version.number}",
                    "idle_s": report.idle_s,
                    "period": report.period,
                    "per_annotator": report.per_annotator.to_dicts(),
                    "over_time": report.over_time.with_columns(pl.col("period").cast(pl.String)).to_dicts(),
                },
                indent=2,
            )
        )
        return 0
    print(
        f"Labeling latency of {version.dataset}:{version.number} (gaps over {secs(report.idle_s)} "
        "between an annotator's labels are breaks, left out)"
    )
    wait = report.has_wait
    print(f"  {'annotator':<16}{'labels':>8}{'median':>10}{'p90':>10}" + (f"{'wait':>10}" if wait else ""))
    for row in report.per_annotator.head(args.top).iter_rows(named=True):
        cells = f"{row['labels']:>8,}{secs(row['median_s']):>10}{secs(row['p90_s']):>10}"
        print(f"  {row['annotator'][:15]:<16}{cells}" + (f"{secs(row['median_wait_s']):>10}" if wait else ""))
    print(f"Over time (per {report.period}):")
    for row in report.over_time.iter_rows(named=True):
        cells = f"{row['labels']:>8,}{secs(row['median_s']):>10}"
        print(
            f"  {row['period']:%Y-%m-%d %H:%M}{cells}" + (f"{secs(row['median_wait_s']):>10}" if wait else "")
        )
    if not wait:
        print("No created-at times: give --created-at COLUMN for how long items waited for a label.")
    return 0


def add_parser(sub: Any) -> None:
    """Add ``strata latency``."""
    p = sub.add_parser("latency", help="labeling latency per annotator and over time")
    p.add_argument("project")
    p.add_argument("--version", help="version id, dataset:number or dataset name (default: the newest)")
    p.add_argument("--created-at", help="column with each item's creation time (default: the time column)")
    p.add_argument(
        "--idle", type=positive_int, default=600, help="seconds between labels that count as a break (600)"
    )
    p.add_argument("--top", type=positive_int, default=20, help="how many annotators to list (default 20)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_latency)
