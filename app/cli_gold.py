"""``strata gold`` (no Qt): mark rows as a gold set, show gold sets, score every version and run
against one, and approve changes to one (with a note, into the audit log).

``--fail-on-violation`` (show, score) turns a changed gold row in the newest version into exit
status 1: regression testing of data quality in CI.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from app.cli_common import comma_list, positive_int
from storage.errors import InputError

if TYPE_CHECKING:
    from analysis.labeling.gold import GoldScore
    from analysis.labeling.gold_report import GoldReport
    from storage.project import Project


def _open(args: argparse.Namespace) -> Project:
    from storage.project import Project

    return Project.open(args.project)


def cmd_mark(args: argparse.Namespace) -> int:
    from analysis.labeling.gold_changes import mark_gold_set
    from analysis.slices.row_sets import resolve_row_set

    with _open(args) as project:
        rows = resolve_row_set(project, args.rows, where=args.where, need_text=False)
        gold, notes = mark_gold_set(project, args.name, rows, note=args.note)
    print(
        f"Marked {gold.rows:,} rows of {gold.source} as gold set '{gold.name}' (frozen: keys, texts, labels)."
    )
    for note in notes:
        print(f"Note: {note}.")
    return 0


def _f(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def _score_line(s: GoldScore) -> str:
    missing = f", {s.missing:,} missing" if s.missing else ""
    return (
        f"accuracy {_f(s.accuracy)} [{_f(s.low)}, {_f(s.high)}] on {s.compared:,} rows{missing}; "
        f"{s.disagreements.height:,} disagree"
    )


def cmd_show(args: argparse.Namespace) -> int:
    from analysis.labeling.gold_report import gold_report
    from storage.gold_sets import list_gold_sets

    with _open(args) as project:
        if args.name is None:
            sets = list_gold_sets(project)
            if args.json:
                print(json.dumps([asdict(g) for g in sets], indent=2, default=str))
            elif not sets:
                print(
                    "No gold sets yet: mark one with "
                    "`strata gold PROJECT mark NAME DATASET[:VERSION][:SLICE]`."
                )
            for g in [] if args.json else sets:
                note = f" — {g.note}" if g.note else ""
                print(
                    f"{g.name}: {g.rows:,} rows of {g.source}, revision {g.revision}, by {g.author} "
                    f"{g.created_at:%Y-%m-%d %H:%M}{note}"
                )
            return 0
        report = gold_report(project, args.name)
    if args.json:
        print(json.dumps(report.as_dict(top=args.top), indent=2, default=str))
        return _violation_status(report, args)
    g = report.gold
    print(f"Gold set '{g.name}': {g.rows:,} rows of {g.source}, label column {g.label_column or 'none'}")
    print(f"  made by {g.author} {g.created_at:%Y-%m-%d %H:%M}" + (f": {g.note}" if g.note else ""))
    for a in report.approvals:
        print(
            f"  revision: {a.action} of {len(a.changes):,} rows by {a.author} {a.at:%Y-%m-%d %H:%M}: {a.note}"
        )
    newest = report.newest
    if newest is not None:
        _print_violations(newest.name, newest.violations, args.top)
    for note in report.notes:
        print(f"Note: {note}.")
    return _violation_status(report, args)


def _print_violations(name: str, violations: Any, top: int) -> None:
    if violations.height == 0:
        print(f"{name}: no violation (every gold row is there, unchanged).")
        return
    print(f"{name}: {violations.height:,} gold rows changed (first {min(top, violations.height)}):")
    for r in violations.head(top).iter_rows(named=True):
        change = f"label {r['gold_label']} → {r['label']}" if "label" in r["kind"] else ""
        print(f"  {r['row_key']}: {r['kind']}  {change}".rstrip())


def _violation_status(report: GoldReport, args: argparse.Namespace) -> int:
    newest = report.newest
    return 1 if args.fail_on_violation and newest is not None and newest.violations.height else 0


def cmd_score(args: argparse.Namespace) -> int:
    from analysis.labeling.gold_report import gold_report

    with _open(args) as project:
        report = gold_report(project, args.name)
    if args.json:
        print(json.dumps(report.as_dict(top=args.top), indent=2, default=str))
        return _violation_status(report, args)
    g = report.gold
    print(f"Gold set '{g.name}' ({g.rows:,} rows of {g.source}, revision {g.revision})")
    print("Versions (their labels against the gold labels; violations: gold rows missing or changed):")
    for v in report.versions:
        counts = ", ".join(f"{n} {k}" for k, n in v.counts().items() if n) or "none"
        line = _score_line(v.score) if v.score is not None else "no labels"
        print(f"  {v.name:<16} {line}; violations: {counts}")
    if report.runs:
        print("Runs (predictions against the gold labels):")
        for s in report.runs:
            kind = f" ({s.kind})" if s.kind != "classifier" else ""
            print(f"  {s.subject + kind:<28} {_score_line(s)}")
        last = report.runs[-1]
        worst = sorted(
            (r, c, n) for c, r, n in zip(last.classes, last.recall, last.support, strict=True) if n
        )[: args.top]
        if worst:
            print(f"Lowest recall, {last.subject}: " + ", ".join(f"{c} {r:.0%} ({n})" for r, c, n in worst))
        if last.disagreements.height:
            shown = min(args.top, last.disagreements.height)
            print(f"Rows {last.subject} gets wrong (gold → predicted), first {shown}:")
            for r in last.disagreements.head(args.top).iter_rows(named=True):
                text = " ".join(str(r["text"] or "").split())[:60]
                print(f"  {r['row_key']}: {r['gold_label']} → {r['given']}  {text}")
    newest = report.newest
    if newest is not None and newest.violations.height:
        _print_violations(newest.name, newest.violations, args.top)
    for note in report.notes:
        print(f"Note: {note}.")
    return _violation_status(report, args)


def _relabels(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, label = pair.partition("=")
        if not sep or not key or not label:
            raise InputError(f"--relabel takes KEY=LABEL pairs; {pair!r} is not one.")
        out[key] = label
    return out


def cmd_approve(args: argparse.Namespace) -> int:
    from analysis.labeling.gold_changes import accept_from_version, relabel_gold, remove_from_gold
    from storage.gold_sets import get_gold_set
    from storage.versions import resolve_version

    if args.keys and not args.accept:
        raise InputError("--keys chooses the rows --accept takes; give --accept DATASET:VERSION with it.")
    with _open(args) as project:
        gold = get_gold_set(project, args.name)
        if args.accept:
            keys = list(comma_list(args.keys)) if args.keys else None
            approval = accept_from_version(
                project, gold, resolve_version(project, args.accept), args.note, keys
            )
        elif args.relabel:
            approval = relabel_gold(project, gold, _relabels(args.relabel), args.note)
        else:
            approval = remove_from_gold(project, gold, args.remove, args.note)
        now = get_gold_set(project, gold.gold_id)
    print(
        f"Approved: {approval.action} of {len(approval.changes):,} rows of gold set '{now.name}' "
        f"(revision {now.revision}, {now.rows:,} rows), recorded with your note in the audit log."
    )
    return 0


def add_parser(sub: Any) -> None:
    """Add ``strata gold`` and its commands."""
    p = sub.add_parser(
        "gold",
        help="gold sets: mark rows as gold, show, score versions and runs against one, approve changes",
        description="A gold set freezes rows (keys, texts, labels). Later versions are checked for "
        "changes to them (violations) and every version's labels and every run's predictions are scored "
        "on them; the set itself changes only through an approval with a note.",
    )
    p.add_argument("project")
    commands = p.add_subparsers(dest="gold_command", required=True, metavar="{mark,show,score,approve}")

    c = commands.add_parser("mark", help="freeze rows of a version (or a slice of one) as a gold set")
    c.add_argument("name")
    c.add_argument(
        "rows", metavar="DATASET[:VERSION][:SLICE]", help="the rows (a dataset: its newest version)"
    )
    c.add_argument("--where", help="only rows matching this filter (the slices' SQL)")
    c.add_argument("--note", default="", help="why these rows are gold (kept with the set)")
    c.set_defaults(func=cmd_mark)

    for name, func, text in (
        (
            "show",
            cmd_show,
            "list gold sets, or show one: its history and its violations in the newest version",
        ),
        ("score", cmd_score, "score every version's labels and every run (probes too) on a gold set"),
    ):
        c = commands.add_parser(name, help=text)
        c.add_argument("name", nargs="?" if name == "show" else None)
        c.add_argument("--top", type=positive_int, default=10, help="rows of each list (default 10)")
        c.add_argument(
            "--fail-on-violation",
            action="store_true",
            help="exit with status 1 when the newest version changed a gold row",
        )
        c.add_argument("--json", action="store_true")
        c.set_defaults(func=func)

    c = commands.add_parser("approve", help="change a gold set, with a note (audit-logged)")
    c.add_argument("name")
    c.add_argument("--note", required=True, help="why (required)")
    how = c.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--accept", metavar="DATASET:VERSION", help="take this version's rows (its violations, or --keys)"
    )
    how.add_argument("--relabel", nargs="+", metavar="KEY=LABEL", help="new gold labels")
    how.add_argument("--remove", nargs="+", metavar="KEY", help="take rows out of the gold set")
    c.add_argument("--keys", help="with --accept: only these row keys, comma-separated")
    c.set_defaults(func=cmd_approve)
