"""Several annotators on the command line (no Qt): the ``strata import`` options that bring their
labels in, and ``strata agreement``, which measures how well they agree."""

from __future__ import annotations

import argparse
import json
import math
import os
from typing import TYPE_CHECKING, Any

from app.cli_common import comma_list, positive_int

if TYPE_CHECKING:
    from analysis.ingest.annotations import AnnotationSpec
    from analysis.ingest.importer import ImportResult
    from analysis.labeling.agreement_report import AgreementResult

PAIR_TABLE_MAX = 12  # more annotators than this: the pairs as a list, not a table


def add_import_arguments(p: argparse.ArgumentParser) -> None:
    """The annotator options of ``strata import``."""
    p.add_argument(
        "--annotator-cols",
        help="wide shape: one column per annotator, comma-separated (patterns allowed: 'Annotator?')",
    )
    p.add_argument(
        "--annotator",
        help="long shape: the column naming the annotator of each row (one row per item × annotator; "
        "--label holds that annotator's label, --id groups rows into items, several columns as --id a,b,c)",
    )
    p.add_argument(
        "--one-hot",
        metavar="NAME",
        help="collapse one-hot columns NAME.<value> (or <annotator>_NAME.<value>) into one label each, "
        "values ordered as the columns (ConvAbuse: --one-hot is_abuse)",
    )
    p.add_argument("--labelled-at", help="long shape: the column holding when each label was given")


def annotation_spec(args: argparse.Namespace) -> AnnotationSpec | None:
    """The annotator options given to ``strata import``, or None."""
    if not (args.annotator_cols or args.annotator or args.one_hot or args.labelled_at):
        return None
    from analysis.ingest.annotations import AnnotationSpec

    return AnnotationSpec(
        columns=comma_list(args.annotator_cols),
        annotator=args.annotator,
        one_hot=args.one_hot,
        labelled_at=args.labelled_at,
    )


def print_import_notes(result: ImportResult) -> None:
    """What the import did with several annotators' labels."""
    if result.annotations:
        print(f"Stored {result.annotations:,} annotations; `strata agreement` measures their agreement.")
    for note in result.notes:
        print(f"Note: {note}.")


def cmd_agreement(args: argparse.Namespace) -> int:
    from analysis.labeling.agreement_report import agreement_for_version
    from storage.project import Project
    from storage.versions import get_version, resolve_version

    with Project.open(args.project) as project:
        version_id = resolve_version(project, args.version)
        version = get_version(project, version_id)
        result = agreement_for_version(project, version_id, top=args.top)
    if args.json:
        print(json.dumps(result.as_dict(top=args.top), indent=2))
        return 0
    _print(result, f"{version.dataset}:{version.number}", args.top)
    return 0


def _f(value: float, digits: int = 3) -> str:
    return "—" if math.isnan(value) else f"{value:.{digits}f}"


def _print(result: AgreementResult, name: str, top: int) -> None:
    order = {"scale": "the import's scale", "numeric": "by value", "name": "by name"}[result.ordered_by]
    print(
        f"Annotator agreement on {name} — {len(result.annotators)} annotators, {result.rows:,} rows "
        f"({result.pairable:,} with two labels or more), {result.annotations:,} labels"
    )
    print(
        f"  Krippendorff's alpha  nominal {_f(result.alpha_nominal)}  ordinal {_f(result.alpha_ordinal)}"
        f"  (scale {', '.join(result.labels)}: {order})"
    )
    print(f"  Fleiss' kappa         {_f(result.fleiss)}  (observed agreement {result.observed:.1%})")
    if result.repeats:
        print(
            f"  Repeat annotations    {result.repeats:,}, {result.repeats_same / result.repeats:.1%} "
            "the same as the annotator's first label (set aside above)"
        )
    _print_pairs(result)
    print(
        "Per-label agreement (specific agreement: given one annotator's label, how often another gives it):"
    )
    width = max(len(x) for x in result.labels)
    for i, label in enumerate(result.labels):
        value = result.specific[i]
        bar = "" if math.isnan(value) else "█" * round(value * 20)
        print(f"  {label:<{width}}  {result.label_counts[i]:>7,} labels  {_f(value)}  {bar}")
    source = (
        "vote shares" if result.probabilities_source == "votes" else f"run '{result.probabilities_source}'"
    )
    print(f"Annotators (CROWDLAB quality, with the {source} as the model; best first):")
    for row in result.annotator_table.iter_rows(named=True):
        print(
            f"  {row['annotator']:<14} {row['rows']:>6,} rows  quality {_f(row['quality'])}  agrees with "
            f"consensus {row['agreement']:.1%}  mean kappa {_f(row['mean_kappa'], 2)}  worst label "
            f"{row['worst_class']}"
        )
    if result.disagreements.height:
        print(f"Most disagreement (share not giving the top label; labels given → consensus), top {top}:")
        for row in result.disagreements.head(top).iter_rows(named=True):
            text = str(row.get("text") or "").replace("\n", " ")[:60]
            print(f"  {row['disagreement']:.2f}  {row['labels']} → {row['consensus']}  {text}")
    for note in result.notes:
        print(f"Note: {note}.")


def _short(names: tuple[str, ...]) -> list[str]:
    """Column headers of at most 8 characters: the names without their common prefix (``Annotator``)."""
    # a character prefix on purpose (names are not paths): "Annotator1", "Annotator2" → "1", "2"
    prefix = os.path.commonprefix(list(names))  # noqa: RUF071
    rest = [n[len(prefix) :] for n in names]
    return [r[:8] for r in rest] if all(rest) else [n[:8] for n in names]


def _print_pairs(result: AgreementResult) -> None:
    names = result.annotators
    m = len(names)
    if m <= PAIR_TABLE_MAX:
        print("Cohen's kappa per pair (on the rows both labelled; — where they share fewer than 2):")
        print(" " * 16 + "".join(f"{s:>9}" for s in _short(names)))
        for i, n in enumerate(names):
            cells = "".join(f"{'' if i == j else _f(result.cohen[i, j], 2):>9}" for j in range(m))
            print(f"  {n[:14]:<14}{cells}")
        return
    pairs = sorted(
        (
            (result.cohen[i, j], i, j)
            for i in range(m)
            for j in range(i + 1, m)
            if not math.isnan(result.cohen[i, j])
        ),
    )
    print(f"Cohen's kappa per pair, the 10 lowest of {len(pairs)} (on the rows both labelled):")
    for kappa, i, j in pairs[:10]:
        print(f"  {kappa:6.2f}  {names[i]} × {names[j]}  ({result.shared[i, j]:,} rows)")


def add_parser(sub: Any) -> None:
    """Add ``strata agreement``."""
    p = sub.add_parser(
        "agreement", help="annotator agreement: Krippendorff's alpha, Fleiss' and Cohen's kappa, CROWDLAB"
    )
    p.add_argument("project")
    p.add_argument(
        "--version", help="version id, dataset:number or dataset name (default: the newest version)"
    )
    p.add_argument(
        "--top", type=positive_int, default=10, help="how many most-disagreed rows to list (default 10)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_agreement)
