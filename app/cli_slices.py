"""``strata slices``, ``strata discover`` and ``strata export`` (no Qt)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli_common import class_list, comma_list, non_negative_int, positive_int, unit_fraction
from app.cli_generative import add_generative_arguments
from storage.errors import InputError


def _filter(args: argparse.Namespace, project: Any) -> dict[str, Any]:
    from analysis.slices.filters import list_slices, tag_column

    chosen = [x for x in (args.where, args.slice, args.tag) if x]
    if len(chosen) > 1:
        raise InputError("Give one of --where, --slice or --tag.")
    if args.slice:
        slices = list_slices(project)
        if args.slice not in slices:
            raise InputError(f"No slice named '{args.slice}'; saved slices: {', '.join(slices) or 'none'}.")
        return slices[args.slice]
    if args.tag:
        return {"where": tag_column(args.tag)}
    return {"where": args.where}


def cmd_slices(args: argparse.Namespace) -> int:
    from analysis.slices.filters import delete_slice, describe, filter_table, list_slices, save_slice
    from analysis.slices.report import NEEDS_RUN, slice_report
    from analysis.slices.tokens import describe_tokens
    from analysis.view_frame import load_view_frame
    from storage.project import Project
    from storage.versions import resolve_version

    if args.save and not args.where:
        raise InputError('--save needs the filter to save: --save NAME --where "…".')
    with Project.open(args.project) as project:
        if args.delete:
            spec = delete_slice(project, args.delete)
            print(f"Deleted slice '{args.delete}' ({describe(spec)}).")
            return 0
        version = resolve_version(project, args.dataset)
        frame = load_view_frame(project, version)
        table = filter_table(frame)
        if args.save:
            save_slice(project, args.save, {"where": args.where}, table)
            print(f"Saved slice '{args.save.strip()}'.")
        if args.compare:
            return _compare(project, version, args)
        slices = list_slices(project)
    adhoc = bool(args.where and not args.save)
    if adhoc:
        slices = {"(this filter)": {"where": args.where}}
    report = slice_report(frame, table, slices, per_class=args.json)
    if adhoc and report.broken:
        raise InputError(report.broken["(this filter)"])  # a bad filter is told before a missing run
    if report.needs_run:
        if args.save:
            print(NEEDS_RUN)
            return 0
        raise InputError(NEEDS_RUN)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, default=str))
        return 0
    generative = frame.run_kind == "generative"
    if not report.metrics and not report.broken:
        print('No saved slices: save one with `strata slices P --save NAME --where "…"`.')
    for m in report.metrics:
        tokens = f"  {describe_tokens(m.tokens)}" if m.tokens else ""
        print(
            f"{m.name:<24} {m.rows:7,} rows ({m.share:5.1%}){tokens}  "
            f"{'pass rate' if generative else 'accuracy'} {m.accuracy:6.1%} "
            f"[{m.accuracy_low:.1%}, {m.accuracy_high:.1%}]  "
            f"errors vs rest {m.error_rate:5.1%} / {m.rest_error_rate:5.1%}  q={m.q_value:.2g}"
        )
    for name, error in report.broken.items():
        print(f"{name:<24} cannot be used on this version: {error} Delete it with --delete '{name}'.")
    return 0


def _compare(project: Any, version: int, args: argparse.Namespace) -> int:
    from analysis.slices.compare import compare_runs
    from analysis.slices.filters import list_slices

    names = list(comma_list(args.compare))
    if len(names) != 2:
        raise InputError("--compare takes two run names: --compare RUN_A,RUN_B.")
    rows = compare_runs(project, version, names[0], names[1], list_slices(project))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'slice':<24} {'rows':>7}  {names[0]:>12}  {names[1]:>12}  difference [95% CI]")
    for r in rows:
        print(
            f"{r['slice']:<24} {r['rows']:7,}  {r['accuracy_a']:12.1%}  {r['accuracy_b']:12.1%}  "
            f"{r['difference']:+.1%} [{r['difference_low']:+.1%}, {r['difference_high']:+.1%}]"
        )
    return 0


def cmd_import_run(args: argparse.Namespace) -> int:
    from analysis.generative.runs import describe_run
    from analysis.ingest.roles import RoleMapping
    from analysis.ingest.runs import import_run
    from app.cli_generative import generative_roles
    from storage.project import Project
    from storage.versions import resolve_version

    generative = generative_roles(args)
    if not generative["response"] and not args.run_name:
        raise InputError("Name the run with --run-name (a classifier's outputs have no generator column).")
    roles = RoleMapping(
        id=args.id,
        pred=args.pred,
        proba_cols=comma_list(args.proba_cols),
        proba_prefix=args.proba_prefix,
        run_name=args.run_name or "",
        **generative,
    )
    with Project.open(args.project) as project:
        version = resolve_version(project, args.dataset)
        run_id = import_run(
            project,
            version,
            args.file,
            roles,
            encoding=args.encoding,
            label_map=args.label_map,
            classes=class_list(args.classes),
        )
        print(f"Added {describe_run(project, run_id)} to version {version}.")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from analysis.slices.discovery import discover_slices
    from analysis.slices.sliceline import SliceLineSpec
    from analysis.view_frame import load_view_frame
    from storage.project import Project
    from storage.versions import resolve_version

    spec = SliceLineSpec(
        alpha=args.alpha, k=args.top, max_predicates=args.max_predicates, min_support=args.min_support
    )
    with Project.open(args.project) as project:
        frame = load_view_frame(project, resolve_version(project, args.dataset))
    found = discover_slices(frame, spec)
    if args.json:
        print(json.dumps([f.__dict__ for f in found], indent=2))
        return 0
    if not found:
        print("SliceLine found no slice scoring above 0 (errors are spread evenly for these features).")
    for f in found:
        print(f"score {f.score:7.3f}  {f.size:7,} rows  errors {f.error_rate:6.1%}  {f.where}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from analysis.slices.export import ExportOptions, export_rows
    from storage.project import Project
    from storage.versions import resolve_version

    options = ExportOptions(
        format=args.format,
        columns=comma_list(args.columns) or None,
        corrected_labels=args.corrected_labels,
        dedupe=args.dedupe,
        sample_by=args.sample_by,
        sample_size=args.sample_size,
        sample_fraction=args.sample_frac,
        seed=args.seed,
        redact=tuple(args.redact or ()),
        redact_mode=args.redact_mode,
        redact_pii=args.redact_pii,
    )
    with Project.open(args.project) as project:
        manifest = export_rows(
            project,
            resolve_version(project, args.dataset),
            _filter(args, project),
            args.out,
            options,
            force=args.force,
        )
    digest = manifest["output"]["sha256"][:16]
    print(f"Wrote {manifest['rows']:,} rows to {args.out} (SHA-256 {digest}…) and its manifest.")
    if not manifest["recorded_in_project"]:
        print("The project is read-only: this export is recorded in its manifest only.")
    if not manifest["approval"]["approved"]:
        print(
            "Warning: this version is not approved; the manifest says so (approve it with `strata approve`)."
        )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from analysis.versions.diff import diff_versions
    from storage.outputs import atomic_write, check_output, protected_paths
    from storage.project import Project
    from storage.versions import resolve_version

    with Project.open(args.project) as project:
        guarded = protected_paths(project.path)
        if args.out:
            check_output(args.out, force=args.force, protected=guarded)
        diff = diff_versions(
            project, resolve_version(project, args.from_version), resolve_version(project, args.to_version)
        )
    summary = diff.summary()
    if args.out:
        atomic_write(args.out, diff.changed_cells.write_csv, force=args.force, protected=guarded)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
        return 0
    print(
        f"Rows matched by {summary['match_by']}: {diff.added:,} added, {diff.removed:,} removed, "
        f"{diff.changed:,} changed, {diff.unchanged:,} unchanged."
    )
    for column, count in diff.changed_columns.items():
        print(f"  {column}: {count:,} cells changed")
    schema = diff.schema
    if schema["added"] or schema["removed"] or schema["retyped"]:
        print(f"Columns {diff.schema_text()}")
    if diff.repeated_text():
        print(diff.repeated_text().capitalize())
    for row in diff.label_changes.head(10).iter_rows(named=True):
        print(f"  label {row['from']} → {row['to']}: {row['rows']:,} row{'s' if row['rows'] != 1 else ''}")
    c = diff.clusters
    if c:
        print(
            f"Clusters: {len(c['matched'])} matched, {len(c['changed'])} changed size by ±50% or more, "
            f"{len(c['vanished'])} vanished, {len(c['appeared'])} appeared"
        )
    p = diff.predictions
    if p:
        print(
            f"Predictions ({p['runs'][0]} → {p['runs'][1]}): {p['wrong_to_right']:,} wrong→right, "
            f"{p['right_to_wrong']:,} right→wrong, {p['changed_wrong']:,} changed wrong; accuracy "
            f"{p['accuracy_from']:.1%} → {p['accuracy_to']:.1%} ({p['difference']:+.1%} "
            f"[{p['difference_ci'][0]:+.1%}, {p['difference_ci'][1]:+.1%}])"
        )
    return 0


def add_parsers(sub: Any) -> None:
    """Add the slice and export commands to the ``strata`` parser."""
    p = sub.add_parser("slices", help="saved slices with accuracy, Wilson intervals and BH-corrected tests")
    p.add_argument("project")
    p.add_argument("--dataset")
    p.add_argument("--save", help="save --where as a slice with this name first")
    p.add_argument(
        "--where",
        help="SQL WHERE expression, e.g. \"label = 'card_arrival'\"; without --save, its metrics alone",
    )
    p.add_argument("--delete", metavar="NAME", help="delete the saved slice NAME")
    p.add_argument("--compare", help="two model runs side by side: RUN_A,RUN_B")
    p.add_argument("--json", action="store_true", help="with per-class precision, recall and F1")
    p.set_defaults(func=cmd_slices)

    p = sub.add_parser("import-run", help="add another model's outputs to a version (matched on id)")
    p.add_argument("project")
    p.add_argument("file")
    p.add_argument("--dataset")
    p.add_argument("--id", help="id column of the outputs file (default: the version's id column name)")
    p.add_argument("--pred")
    p.add_argument("--proba-cols")
    p.add_argument("--proba-prefix")
    p.add_argument("--label-map")
    p.add_argument(
        "--run-name",
        help="the run's name (required for a classifier; a generative run: its generator column, "
        "else the file's stem)",
    )
    p.add_argument("--classes", help="every class, in order: a file (one per line) or a,b,c")
    p.add_argument("--encoding", default="utf-8")
    add_generative_arguments(p)
    p.set_defaults(func=cmd_import_run)

    p = sub.add_parser("diff", help="what changed between two versions")
    p.add_argument("project")
    p.add_argument("--from", dest="from_version", required=True, help="version id or dataset:number")
    p.add_argument("--to", dest="to_version", required=True, help="version id or dataset:number")
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", help="write every changed cell (key, column, old, new) to this CSV")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("discover", help="find the worst slices with SliceLine")
    p.add_argument("project")
    p.add_argument("--dataset")
    p.add_argument("--alpha", type=unit_fraction, default=0.6, help="error weight in (0, 1] (default 0.6)")
    p.add_argument("--top", type=positive_int, default=10)
    p.add_argument("--max-predicates", type=positive_int, default=4)
    p.add_argument("--min-support", type=non_negative_int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("export", help="export a slice, a tag or a filter with a manifest")
    p.add_argument("project")
    p.add_argument("--dataset")
    p.add_argument("--where")
    p.add_argument("--slice")
    p.add_argument("--tag")
    p.add_argument("--format", choices=["csv", "parquet", "jsonl"], help="default: from --out's extension")
    p.add_argument("--out", required=True, help="file to write (.csv, .parquet or .jsonl)")
    p.add_argument("--force", action="store_true", help="overwrite --out and its manifest if they exist")
    p.add_argument("--columns", help="comma-separated columns (default: the dataset's own)")
    p.add_argument("--corrected-labels", action="store_true")
    p.add_argument("--dedupe", choices=["exact", "near"])
    p.add_argument(
        "--sample-by",
        metavar="COLUMN",
        help="stratify a sample by a column, each value keeping its share: e.g. the label, cluster "
        "(clusters of the map, HDBSCAN; noise is one stratum) or cluster_sphere (clusters of the "
        "vectors, spherical k-means)",
    )
    p.add_argument("--sample-size", type=positive_int, help="rows in the stratified sample")
    p.add_argument("--sample-frac", type=unit_fraction, help="fraction in (0, 1] of each stratum")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--redact", nargs="*", help="columns to redact")
    p.add_argument("--redact-mode", default="hash", choices=["hash", "drop"])
    p.add_argument(
        "--redact-pii",
        action="store_true",
        help="replace e-mails, phone, card and IBAN numbers and IP addresses in text columns by placeholders",
    )
    p.set_defaults(func=cmd_export)
