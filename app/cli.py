"""The ``strata`` command. It imports no Qt: ``gui`` and the screenshots of ``demo`` load it lazily."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from analysis.progress import Cancelled
from app.cli_agreement import add_import_arguments as add_annotation_arguments
from app.cli_common import class_list, comma_list, positive_int
from app.cli_engine import add_embed_arguments, add_engine_arguments, engine_spec
from app.cli_generative import (
    add_generative_arguments,
    add_map_arguments,
    generative_roles,
    print_generative_summary,
)
from app.console import ConsoleProgress
from storage.errors import StrataError


def _roles(args: argparse.Namespace) -> Any:
    from analysis.ingest.roles import RoleMapping

    fields = {"text": args.text} | generative_roles(args)
    return RoleMapping(
        id=args.id,
        label=args.label,
        time=args.time,
        split=args.split,
        group=args.group,
        annotators=tuple(args.annotators or ()),
        label_confidence=args.label_confidence,
        pred=args.pred,
        proba_cols=comma_list(args.proba_cols),
        proba_prefix=args.proba_prefix,
        proba_list=args.proba_list,
        time_format=args.time_format,
        run_name=args.run_name or "",
        **fields,
    )


def cmd_new(args: argparse.Namespace) -> int:
    from storage.crypto import ask_passphrase
    from storage.errors import ProjectError
    from storage.project import Project

    passphrase = None
    if args.encrypt:
        passphrase = ask_passphrase(Path(args.project))
        if passphrase is None:
            raise ProjectError(
                "--encrypt needs a passphrase: set STRATA_PASSPHRASE, or run in a terminal to be asked."
            )
    Project.create(args.project, passphrase=passphrase).close()
    print(f"Created {args.project}" + (" (encrypted with SQLCipher)" if passphrase else ""))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from analysis.generative.runs import describe_run
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.runs import import_run
    from app.cli_agreement import annotation_spec, print_import_notes
    from storage.errors import InputError
    from storage.project import Project

    first, *more = args.file
    roles = _roles(args)
    if more and not roles.response:
        raise InputError(
            "Several files are imported as generative runs on the first file's prompts: name the "
            "response column with --response (or import one file at a time)."
        )
    project, created = Project.open_or_create(args.project)
    if created:
        print(f"Created a new project {args.project} (there was none).")
    with project:
        result = import_dataset(
            project,
            first,
            roles,
            name=args.name,
            encoding=args.encoding,
            outputs_path=args.outputs,
            label_map=args.label_map,
            version_of=args.version_of,
            classes=class_list(args.classes),
            annotation=annotation_spec(args),
        )
        run = f", {describe_run(project, result.run_id)}" if result.run_id else ""
        print(
            f"Imported {result.rows:,} rows into {args.project} as dataset '{result.dataset}' "
            f"version {result.number}{run}."
        )
        print_import_notes(result)
        for path in more:
            added = import_run(
                project, result.version_id, path, replace(roles, run_name=""), encoding=args.encoding
            )
            print(f"Added {describe_run(project, added)} from {path}.")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from analysis.labeling.probe import ProbeSpec
    from analysis.map.embed import EmbedSpec
    from analysis.pipeline.runner import STAGES, PipelineSpec, run_pipeline
    from storage.project import Project
    from storage.versions import resolve_version

    stages = comma_list(args.stages) or STAGES
    spec = PipelineSpec(
        embed=EmbedSpec(model=args.model, device=args.device, backend=args.embed_backend),
        probe=ProbeSpec(mode=args.probe),
        run=args.run,
        map_from=args.map_from,
        engine=engine_spec(args),
    )
    with Project.open(args.project) as project:
        version = resolve_version(project, args.dataset)
        with ConsoleProgress() as progress:
            reports = run_pipeline(project, version, spec, stages, progress)
    width = max(len(r.stage) for r in reports)
    for r in reports:
        how = "cached" if r.cached else f"{r.seconds:6.1f} s  {r.detail}"
        print(f"{r.stage:<{width}} {how}")
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    from analysis.errors.spec import ALL_MODES, TagSpec
    from analysis.pipeline.runner import PipelineSpec, run_pipeline
    from storage.project import Project
    from storage.versions import resolve_version

    modes = comma_list(args.modes) or ALL_MODES
    spec = PipelineSpec(
        tag=TagSpec(modes=modes), run=args.run, map_from=args.map_from, engine=engine_spec(args)
    )
    with Project.open(args.project) as project:
        version = resolve_version(project, args.dataset)
        with ConsoleProgress() as progress:
            reports = run_pipeline(project, version, spec, ("tag",), progress)
    tag = reports[-1]
    print(f"tag: {'cached' if tag.cached else f'{tag.seconds:.1f} s'}  {tag.detail}")
    return 0


def cmd_errors(args: argparse.Namespace) -> int:
    from analysis.errors.report import error_report
    from storage.project import Project
    from storage.versions import resolve_version

    with Project.open(args.project) as project:
        report = error_report(project, resolve_version(project, args.dataset), top=args.top)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    if not report["modes"]:
        print("No error modes tagged yet: run `strata tag` first.")
        return 0
    print(f"Error modes ({report['rows']:,} rows):")
    for mode, c in report["modes"].items():
        print(f"  {mode:<16} {c['rows']:7,}  {c['share']:6.1%}")
    if report["error_clusters"]:
        print("Error-dense clusters (binomial test, Benjamini–Hochberg q < 0.05):")
        for c in report["error_clusters"]:
            print(f"  {c['error_rate']:6.1%} errors  {c['rows']:5,} rows  q={c['q_value']:.2g}  {c['name']}")
    if report["label_issues"]:
        print("Top label issues (given → suggested):")
        for i in report["label_issues"]:
            text = (i["text"] or i["key"])[:70]
            print(f"  {i['score']:.2f}  {i['label']} → {i['suggested']}  {text}")
    print_generative_summary(report["generative"])
    for note in report["notes"]:
        print(f"Note: {note}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from analysis.summary import project_summary
    from storage.project import Project

    with Project.open(args.project) as project:
        summary = project_summary(project)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
        return 0
    print(f"{summary['path']}  (schema {summary['schema']})")
    if not summary["datasets"]:
        print("  no datasets yet: add one with `strata import`")
    for d in summary["datasets"]:
        print(
            f"- {d['name']} v{d['version']}: {d['rows']:,} rows, {d['classes']} classes, "
            f"imported {d['imported_at']}, source SHA-256 {d['source_sha256'][:12]}"
            + (f" — {d['note']}" if d["note"] else "")
        )
        for r in d["runs"]:
            acc = "n/a" if r["accuracy"] is None else f"{r['accuracy']:.3f}"
            print(f"    run {r['name']}: accuracy {acc}{'' if r['probabilities'] else ' (labels only)'}")
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in d["stages"].items()) or "none"
        print(f"    stages done: {stages}")
        if d["clusters"]:
            print(f"    clusters: {d['clusters']} ({d['noise_rows']:,} noise rows); highest error rate:")
            for c in d["top_error_clusters"]:
                print(f"      {c['error_rate']:6.1%}  {c['size']:5d} rows  {c['name']}")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from app.platform_check import check_platform

    advice = check_platform()
    if advice is not None:
        print(f"strata: error: {advice}", file=sys.stderr)
        return 2
    from app.gui import run_gui

    return run_gui(args.project)


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import run_demo

    return run_demo(headless=args.headless, out_dir=Path(args.out))


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``strata`` command."""
    parser = argparse.ArgumentParser(prog="strata", description="Data-centric error analysis, offline.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("new", help="create an empty project file")
    p.add_argument("project")
    p.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt with SQLCipher; passphrase from STRATA_PASSPHRASE or asked (never stored)",
    )
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("import", help="import a data file (and model outputs) as a dataset")
    p.add_argument("project")
    p.add_argument(
        "file", nargs="+", help="data file; more files are further generative runs on the same prompts"
    )
    p.add_argument("--name", help="dataset name (default: the file's stem)")
    p.add_argument("--version-of", help="import as the next version of this dataset")
    for role in ("id", "text", "label", "time", "split", "group", "pred"):
        p.add_argument(f"--{role}", help=f"column holding the {role}")
    p.add_argument("--annotators", nargs="*", help="extra annotator label columns")
    p.add_argument(
        "--label-confidence", help="annotator-confidence column (e.g. airline_sentiment_confidence)"
    )
    p.add_argument("--proba-cols", help="comma-separated probability columns, one per class, in class order")
    p.add_argument("--proba-prefix", help="probability columns are '<prefix><label>' (e.g. prob_)")
    p.add_argument("--proba-list", help="one list column holding the class probabilities")
    p.add_argument("--outputs", help="a separate file of model outputs, joined on --id")
    p.add_argument("--label-map", help="file mapping integer labels to names (JSON or id<TAB>name lines)")
    p.add_argument("--time-format", help="strftime format of a text time column")
    p.add_argument(
        "--run-name",
        help="name of the model run (default: model; a generative run: its generator column, "
        "else the file's stem)",
    )
    p.add_argument(
        "--classes",
        help="every class of the task, in order: a file (one per line, or a JSON list) or a,b,c "
        "(for predictions-only runs whose model predicts classes absent from the labels)",
    )
    p.add_argument("--encoding", default="utf-8", help="text encoding of CSV/TSV/JSON files (default utf-8)")
    add_annotation_arguments(p)
    add_generative_arguments(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("run", help="run the pipeline: embed, neighbours, project, cluster, tag")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name (default: the newest)")
    p.add_argument("--stages", help="comma-separated stages (default: all)")
    add_embed_arguments(p)
    p.add_argument(
        "--probe",
        default="auto",
        choices=["auto", "always", "never"],
        help="a probe run (5-fold logistic regression on the embeddings, out-of-fold probabilities) for "
        "label issues: auto (when the version has labels and no model run), always or never",
    )
    add_map_arguments(p)
    add_engine_arguments(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("tag", help="tag error modes (runs the map stages first when needed)")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name (default: the newest)")
    add_map_arguments(p)
    p.add_argument("--modes", help="comma-separated error modes (default: all)")
    add_engine_arguments(p)
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("errors", help="counts per error mode, error-dense clusters, top label issues")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name (default: the newest)")
    p.add_argument(
        "--top", type=positive_int, default=10, help="how many clusters and label issues (default 10)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_errors)

    p = sub.add_parser("info", help="datasets, runs, accuracy, stages done and clusters")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)

    from app.cli_agreement import add_parser as add_agreement
    from app.cli_check import add_parser as add_check
    from app.cli_clusters import add_parser as add_clusters
    from app.cli_contamination import add_parser as add_contamination
    from app.cli_diversity import add_parser as add_diversity
    from app.cli_drift import add_parser as add_drift
    from app.cli_generative import add_parser as add_generative
    from app.cli_gold import add_parser as add_gold
    from app.cli_governance import add_parser as add_governance
    from app.cli_latency import add_parser as add_latency
    from app.cli_queue import add_parser as add_queue
    from app.cli_report import add_parser as add_report
    from app.cli_rubric import add_parser as add_rubric
    from app.cli_slices import add_parsers

    add_clusters(sub)
    add_parsers(sub)
    add_drift(sub)
    add_agreement(sub)
    add_gold(sub)
    add_contamination(sub)
    add_queue(sub)
    add_rubric(sub)
    add_latency(sub)
    add_check(sub)
    add_governance(sub)
    add_report(sub)
    add_generative(sub)
    add_diversity(sub)

    p = sub.add_parser("gui", help="open the main window")
    p.add_argument("project", nargs="?")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("demo", help="import the bundled sample, run the pipeline and show it")
    p.add_argument("--headless", action="store_true", help="no window: write summary.json and screenshots")
    p.add_argument("--out", default="demo-out", help="output folder (default demo-out)")
    p.set_defaults(func=cmd_demo)
    return parser


def _terminal_passphrase(path: Path) -> str | None:
    """Ask for an encrypted project's passphrase on the terminal (never echoed, never stored)."""
    import getpass

    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"Passphrase for {path}: ") or None


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``strata``; errors a user can act on print one paragraph and exit with 2."""
    from storage.crypto import set_passphrase_provider

    args = build_parser().parse_args(argv)
    set_passphrase_provider(_terminal_passphrase)
    try:
        code: int = args.func(args)
        return code
    except Cancelled as err:
        print(f"strata: {err}", file=sys.stderr)
        return 130
    except StrataError as err:
        print(f"strata: error: {err}", file=sys.stderr)
        return 2
    except Exception as err:
        # A database or file-system fault outside a project transaction (busy, read-only, disk full).
        from storage.errors import database_error

        translated = database_error(err, getattr(args, "project", None) or "the project")
        if translated is None:
            raise
        print(f"strata: error: {translated}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
