"""``strata queue``: the rows to label next, ranked by an active-learning strategy (no Qt)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli_common import positive_int

EXCERPT = 70  # characters of text shown per row
LABEL = 40  # characters of a suggested label shown


def cmd_queue(args: argparse.Namespace) -> int:
    from analysis.labeling.active_queue import QUEUE_TAG, QueueSpec, build_queue, send_to_review
    from storage.project import Project
    from storage.versions import resolve_version

    spec = QueueSpec(strategy=args.strategy, size=args.size, rows=args.rows, run=args.run, seed=args.seed)
    with Project.open(args.project) as project:
        version = resolve_version(project, args.version)
        queue = build_queue(project, version, spec)
        queued = send_to_review(project, queue) if args.to_review else 0
    if args.json:
        print(json.dumps(queue.as_dict() | {"queued_for_review": queued}, indent=2))
        return 0
    where = f", clusters from {queue.clusters_from}" if queue.clusters_from else ""
    source = f"run '{queue.run}'" if queue.run else "no model run"
    print(
        f"Rows to label next in {queue.version_name} — strategy {queue.strategy}, {len(queue.rows):,} of "
        f"{queue.candidates:,} candidate rows ({source}{where}):"
    )
    width = max((len(str(r)) for r in queue.rows.tolist()), default=1)
    suggested = [_cut(s or "—", LABEL) for s in queue.suggested]
    suggested_width = max((len(s) for s in suggested), default=1)
    for row, text, label, score in zip(
        queue.rows.tolist(), queue.texts, suggested, queue.scores.tolist(), strict=True
    ):
        excerpt = _cut(" ".join(text.split()), EXCERPT)
        print(f"  {row:>{width}}  {score:6.3f}  {label:<{suggested_width}}  {excerpt}")
    print("(columns: row id, score — higher: label sooner —, suggested label, text)")
    for note in queue.notes:
        print(f"Note: {note}.")
    if queued:
        print(
            f"Queued {queued:,} rows for review as the tag '{QUEUE_TAG}': in the window, choose "
            f"'{QUEUE_TAG}' in the review panel, label them, then save them as a new version."
        )
    return 0


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def add_parser(sub: Any) -> None:
    """Add ``strata queue``."""
    from analysis.labeling.active import DEFAULT_STRATEGY, QUEUE_TAG, ROW_SETS, STRATEGIES

    strategies = "; ".join(f"{s.name}: {s.summary}" for s in STRATEGIES.values())
    p = sub.add_parser(
        "queue",
        help="active learning: the rows to label next (uncertainty, diversity, mix, random, ActiveLab)",
        description=f"Rank the rows to label next. Strategies — {strategies}.",
    )
    p.add_argument("project")
    p.add_argument(
        "--version", help="version id, dataset:number or dataset name (default: the newest version)"
    )
    p.add_argument(
        "--strategy",
        choices=list(STRATEGIES),
        default=DEFAULT_STRATEGY,
        help=f"how to rank the rows (default {DEFAULT_STRATEGY}, chosen by benchmarks/bench_active.py)",
    )
    p.add_argument("--size", type=positive_int, default=20, help="how many rows (default 20)")
    p.add_argument(
        "--rows",
        choices=list(ROW_SETS),
        help="which rows may be queued: unlabelled (default; activelab: all) or labelled ones to re-check",
    )
    p.add_argument("--run", help="the model run whose probabilities rank the rows (default: the newest)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random strategy (default 0)")
    p.add_argument(
        "--to-review",
        action="store_true",
        help=f"also store the queue as the review queue '{QUEUE_TAG}' of the version (for the window)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_queue)
