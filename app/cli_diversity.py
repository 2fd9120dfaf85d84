"""``strata diversity``: distinct-n, embedding spread, near-duplicates and cluster entropy of a text
column and of every generative run's responses, per version, with the drops between versions (no Qt)."""

from __future__ import annotations

import argparse
import json
from contextlib import nullcontext
from typing import Any

from app.cli_common import positive_int

HEADER = (
    f"{'version':<16} {'source':<28} {'texts':>7} {'dist-1':>7} {'dist-2':>7} {'cos dist':>8} "
    f"{'near-dup':>8} {'entropy':>7}"
)


def cmd_diversity(args: argparse.Namespace) -> int:
    from analysis.drift.diversity import diversity_drops, measure_diversity
    from analysis.progress import NullProgress
    from app.console import ConsoleProgress
    from storage.errors import InputError
    from storage.project import Project
    from storage.versions import get_version, list_versions, resolve_version

    with Project.open(args.project) as project:
        newest = get_version(project, resolve_version(project, args.dataset))
        versions = [v.version_id for v in list_versions(project) if v.dataset_id == newest.dataset_id]
        if args.versions:
            wanted = {resolve_version(project, ref) for ref in args.versions.split(",")}
            versions = [v for v in versions if v in wanted]
        if not versions:
            raise InputError("No versions to measure.")
        # a JSON reader gets JSON only: no progress bar
        with nullcontext(NullProgress()) if args.json else ConsoleProgress() as progress:
            entries = measure_diversity(
                project, versions, args.column, not args.no_runs, args.sample, progress=progress
            )
    drops = diversity_drops(entries)
    if args.json:
        print(json.dumps({"entries": [e.as_dict() for e in entries], "drops": drops}, indent=2))
        return 0
    print(HEADER)
    for e in entries:
        d = e.diversity
        print(
            f"{e.version:<16} {e.source[:28]:<28} {d.texts:>7,} {d.distinct_1:>7.3f} {d.distinct_2:>7.3f} "
            f"{d.mean_cosine_distance:>8.3f} {d.near_duplicate_share:>8.1%} {d.cluster_entropy:>7.3f}"
        )
    print(f"(each measured on a sample of up to {args.sample:,} texts, seed 0)")
    for drop in drops:
        print(f"DROP {drop['source']}: {drop['from']} → {drop['to']}: {', '.join(_names(drop['measures']))}")
    if not drops and len(versions) > 1:
        print("No drop in diversity between versions.")
    return 0


def _names(measures: list[str]) -> list[str]:
    return [m.replace("_", " ") for m in measures]


def add_parser(sub: Any) -> None:
    """Register ``diversity``."""
    p = sub.add_parser("diversity", help="diversity of texts and responses per version, and its drops")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name (default: the newest); every version of it is measured")
    p.add_argument("--versions", help="comma-separated versions (NAME:N or ids) instead of all")
    p.add_argument("--column", help="text column to measure (default: the text column)")
    p.add_argument("--no-runs", action="store_true", help="leave out the generative runs' responses")
    p.add_argument("--sample", type=positive_int, default=1000, help="texts per measure (default 1000)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_diversity)
