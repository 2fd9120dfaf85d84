"""``strata contamination`` (no Qt): rows of one set checked for copies of another's, tagged
``contaminated``; ``--fail-on-contamination`` turns a finding into exit status 1 for CI."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from app.cli_common import comma_list, positive_int, unit_fraction
from storage.errors import InputError

if TYPE_CHECKING:
    from analysis.labeling.contamination_check import ContaminationResult


def _kinds(text: str) -> tuple[str, ...]:
    from analysis.labeling.contamination import KINDS

    kinds = comma_list(text)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"{text!r}: give one or more of {', '.join(KINDS)}, comma-separated")
    return kinds


def cmd_contamination(args: argparse.Namespace) -> int:
    from analysis.labeling.contamination_check import (
        ContaminationSpec,
        check_contamination,
        tag_contamination,
    )
    from analysis.slices.row_sets import resolve_row_set
    from app.console import ConsoleProgress
    from storage.project import Project

    spec = ContaminationSpec(threshold=args.threshold, ngram=args.ngram, kinds=args.kinds)
    with Project.open(args.project) as project:
        check = resolve_row_set(project, args.check, where=args.where)
        if check.gold:
            raise InputError("--check names the rows to tag: a version or a slice of one, not a gold set.")
        against = resolve_row_set(project, args.against)
        if args.json or not sys.stdout.isatty():  # a bar only where a person watches (not in a pipe)
            result = check_contamination(project, check, against, spec)
        else:
            with ConsoleProgress() as progress:
                result = check_contamination(project, check, against, spec, progress)
        tagged = None if args.no_tag else tag_contamination(project, result)
    if args.json:
        print(json.dumps(result.as_dict(top=args.top) | {"tagged": tagged}, indent=2, default=str))
    else:
        _print(result, tagged, args.top)
    return 1 if args.fail_on_contamination and result.pairs.height else 0


def _short(text: str | None, width: int) -> str:
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _print(result: ContaminationResult, tagged: int | None, top: int) -> None:
    n, found = result.rows_checked, result.pairs.height
    share = f" ({found / n:.1%})" if n else ""
    print(
        f"Contamination of {result.checked} ({n:,} rows) against {result.against} "
        f"({result.rows_against:,} rows): {found:,} rows{share}"
    )
    counts = "  ".join(f"{k} {v:,}" for k, v in result.counts().items())
    rules = {
        "exact": "normalised text",
        "near": f"cosine ≥ {result.spec.threshold:g}",
        "ngram": f"{result.spec.ngram}-word runs",
    }
    print(f"  {counts}   ({', '.join(rules[k] for k in result.spec.kinds)})")
    if tagged is not None:
        print(f"Tagged {tagged:,} rows 'contaminated' (a rerun of this check replaces them).")
    if found:
        print(f"Pairs, highest score first (top {min(top, found)}): kind score  row → matching row")
        for r in result.pairs.head(top).iter_rows(named=True):
            print(
                f"  {r['kind']:<5} {r['score']:.3f}  {r['row_key']}: {_short(r['text'], 44)}\n"
                f"{'':15}→ {r['match_key']}: {_short(r['match_text'], 44)}"
            )
    for note in result.notes:
        print(f"Note: {note}.")


def add_parser(sub: Any) -> None:
    """Add ``strata contamination``."""
    from analysis.labeling.contamination import DEFAULT_NGRAM, DEFAULT_THRESHOLD, KINDS

    p = sub.add_parser(
        "contamination",
        help="find rows that copy an evaluation set or a gold set (exact, near, n-gram) and tag them",
        description="Rows are named DATASET (its newest version), DATASET:VERSION, DATASET:SLICE, "
        "DATASET:VERSION:SLICE, or gold:NAME (a gold set). Exit status 1 with --fail-on-contamination "
        "when any row is contaminated.",
    )
    p.add_argument("project")
    p.add_argument(
        "--check", required=True, metavar="DATASET[:VERSION][:SLICE]", help="the rows to check and tag"
    )
    p.add_argument(
        "--against",
        required=True,
        metavar="DATASET[:VERSION][:SLICE]|gold:NAME",
        help="the rows they must not copy",
    )
    p.add_argument("--where", help="only checked rows matching this filter, e.g. \"source = 'synthetic'\"")
    p.add_argument(
        "--threshold",
        type=unit_fraction,
        default=DEFAULT_THRESHOLD,
        help=f"least cosine similarity of a near copy (default {DEFAULT_THRESHOLD})",
    )
    p.add_argument(
        "--ngram",
        type=positive_int,
        default=DEFAULT_NGRAM,
        help=f"words per shared run (default {DEFAULT_NGRAM})",
    )
    p.add_argument(
        "--kinds",
        type=_kinds,
        default=KINDS,
        help=f"what to look for, comma-separated (default {','.join(KINDS)})",
    )
    p.add_argument("--top", type=positive_int, default=10, help="pairs to list (default 10)")
    p.add_argument("--no-tag", action="store_true", help="report only: leave the tags as they are")
    p.add_argument(
        "--fail-on-contamination", action="store_true", help="exit with status 1 when any row is found"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_contamination)
