"""``strata clusters``: a version's clusters (label, rows, error rate, name), and renaming one (no Qt).

``--clustering map`` (the default) is HDBSCAN on the 2-D map (stage ``cluster``); ``--clustering
vectors`` is spherical k-means on the embedding vectors (stage ``cluster_sphere``).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

# The --clustering choices: the stage (and frame column) of each clustering.
CLUSTERINGS = {"map": "cluster", "vectors": "cluster_sphere"}


def cmd_clusters(args: argparse.Namespace) -> int:
    from storage.cluster_names import rename_cluster
    from storage.project import Project
    from storage.stage_outputs import read_clusters
    from storage.versions import resolve_version

    stage = CLUSTERINGS[args.clustering]
    with Project.open(args.project) as project:
        version = resolve_version(project, args.dataset)
        if args.rename is not None:
            label_text, name = args.rename
            label = _label(label_text)
            old = rename_cluster(project, version, label, name, stage=stage)
            clusters, _ = read_clusters(project, version, stage)
            new = next(c.name for c in clusters if c.label == label)
            if new == old:
                print(f"Cluster {label} is already named '{old}'; nothing changed.")
            else:
                print(f"Cluster {label} renamed: '{old}' → '{new}'.")
            return 0
        clusters, labels = read_clusters(project, version, stage)
    if args.json:
        rows = [_as_dict(c) for c in sorted(clusters, key=lambda c: c.label)]
        print(json.dumps({"version": version, "clustering": args.clustering, "clusters": rows}, indent=2))
        return 0
    if not clusters:
        print("No clusters yet: run the pipeline with `strata run`.")
        return 0
    noise = int((labels < 0).sum()) if labels is not None else 0
    print(f"{len(clusters)} clusters ({noise:,} rows in no cluster), largest first:")
    print(f"  {'label':>5}  {'rows':>6}  {'errors':>6}  name")
    for c in clusters:
        rate = "—" if c.error_rate is None else f"{c.error_rate:.1%}"
        renamed = f"  (automatic: {c.auto_name})" if c.name != c.auto_name else ""
        print(f"  {c.label:>5}  {c.size:>6,}  {rate:>6}  {c.name}{renamed}")
    return 0


def _label(text: str) -> int:
    from storage.errors import InputError

    try:
        return int(text)
    except ValueError:
        raise InputError(
            f"'{text}' is not a cluster label; give the number from the label column of "
            "`strata clusters PROJECT`, e.g. --rename 3 'card payments'."
        ) from None


def _as_dict(c: Any) -> dict[str, Any]:
    return {
        "label": c.label,
        "name": c.name,
        "automatic_name": c.auto_name,
        "rows": c.size,
        "error_rate": c.error_rate,
        "keywords": c.keywords,
    }


def add_parser(sub: Any) -> None:
    """Add the ``clusters`` subcommand to the ``strata`` parser's subparsers."""
    p = sub.add_parser("clusters", help="a version's clusters with sizes, error rates and names; rename one")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name, dataset:number or version id (default: the newest)")
    p.add_argument(
        "--rename",
        nargs=2,
        metavar=("LABEL", "NAME"),
        help="give cluster LABEL the name NAME (its automatic name gives it back its keywords)",
    )
    p.add_argument(
        "--clustering",
        choices=list(CLUSTERINGS),
        default="map",
        help="map: HDBSCAN on the 2-D map (default; some rows are noise); vectors: spherical k-means "
        "on the embedding vectors (every row in a cluster)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_clusters)
