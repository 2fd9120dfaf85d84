"""``strata meta`` (dataset metadata) and ``strata backlog`` (the failure-mode backlog), no Qt."""

from __future__ import annotations

import argparse
import json
from typing import Any

META_FLAGS = {
    "owner": "owner",
    "licence": "licence",
    "source": "source",
    "policy": "collection_policy",
    "retention": "retention_until",
    "risk": "risk_level",
}


def cmd_meta(args: argparse.Namespace) -> int:
    from storage.dataset_meta import read_meta, set_meta
    from storage.project import Project
    from storage.versions import get_version, resolve_version

    changes = {
        field: getattr(args, flag) for flag, field in META_FLAGS.items() if getattr(args, flag) is not None
    }
    with Project.open(args.project) as project:
        version = get_version(project, resolve_version(project, args.dataset))
        if changes:
            set_meta(project, version.dataset_id, **changes)
        meta = read_meta(project, version.dataset_id)
    if args.json:
        print(json.dumps(meta.as_dict() | {"dataset": version.dataset}, indent=2))
        return 0
    print(f"Dataset '{version.dataset}'" + ("  — STALE: past its retention date" if meta.stale() else ""))
    for field in META_FLAGS.values():
        print(f"  {field:<18} {getattr(meta, field) or '—'}")
    return 0


def _print_backlog(items: list[Any]) -> None:
    if not items:
        print("No failure modes yet: add one with `strata backlog P --add NAME [--link slice:NAME]`.")
        return
    for item in items:
        e = item.entry
        link = f"  defined by {e.link}" if e.link else ""
        print(f"{e.tag}  [{e.status}, {e.risk_level} risk, owner {e.owner or '—'}]{link}")
        if e.note:
            print(f"    {e.note}")
        for v in item.versions:
            rate = "n/a" if v.error_rate is None else f"{v.error_rate:.1%}"
            print(f"    {v.version:<24} {v.rows:7,} rows  error rate {rate}")


def cmd_backlog(args: argparse.Namespace) -> int:
    from analysis.governance.backlog import backlog_report
    from storage.backlog import set_failure_mode
    from storage.project import Project
    from storage.tags import create_tag, list_tags
    from storage.versions import get_version, resolve_version

    fields = {
        k: v
        for k, v in {
            "status": args.status,
            "owner": args.owner,
            "risk_level": args.risk,
            "note": args.note,
            "link": args.link,
        }.items()
        if v is not None
    }
    with Project.open(args.project) as project:
        name = args.add or args.set
        if args.add and args.add not in {t.name for t in list_tags(project)}:
            create_tag(project, args.add, description=args.note or "", kind="failure_mode")
        if name and fields:
            set_failure_mode(project, name, **fields)
        dataset = get_version(project, resolve_version(project, args.dataset)).dataset_id
        items = backlog_report(project, dataset)
    if args.json:
        print(json.dumps([i.as_dict() for i in items], indent=2))
    else:
        _print_backlog(items)
    return 0


def add_parser(sub: Any) -> None:
    """Register ``strata meta`` and ``strata backlog``."""
    p = sub.add_parser("meta", help="show or edit a dataset's owner, licence, source, retention and risk")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name (default: the newest)")
    p.add_argument("--owner")
    p.add_argument("--licence")
    p.add_argument("--source", help="where the data came from")
    p.add_argument("--policy", help="the collection policy (consent, sampling, filters)")
    p.add_argument("--retention", metavar="YYYY-MM-DD", help="keep until this date ('' clears it)")
    p.add_argument("--risk", choices=["low", "medium", "high"], help="risk level (orders review queues)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_meta)

    p = sub.add_parser("backlog", help="failure modes with status, owner and rows / error rate per version")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset whose versions are counted (default: the newest)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--add", metavar="NAME", help="add a failure mode (a new human tag, or an existing one)")
    who.add_argument("--set", metavar="NAME", help="edit a failure mode's entry")
    p.add_argument("--status", choices=["open", "in progress", "fixed", "won't fix"])
    p.add_argument("--owner")
    p.add_argument("--risk", choices=["low", "medium", "high"])
    p.add_argument("--note")
    p.add_argument("--link", help="the slice or cluster that defines it: slice:NAME or cluster:NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backlog)
