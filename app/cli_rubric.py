"""``strata rubric`` (no Qt): show or edit the class rubrics of a dataset — a short text per class that
the review queue shows next to a suggestion.

``--set CLASS TEXT`` edits one class (an empty TEXT removes it); ``--file`` reads many from a CSV or
JSON file with ``class`` and ``rubric`` (or ``text``) fields, one per class.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from storage.errors import InputError


def _read_file(path: Path) -> dict[str, str]:
    """``class`` → rubric text from a CSV or JSON file (a list of objects, or one object)."""
    import polars as pl

    if not path.is_file():
        raise InputError(f"{path} is not a file; give a CSV or JSON file with 'class' and 'rubric' fields.")
    try:
        if path.suffix.lower() == ".json":
            data: Any = json.loads(path.read_text(encoding="utf-8"))
            records = [{"class": k, "rubric": v} for k, v in data.items()] if isinstance(data, dict) else data
            frame = pl.DataFrame(records)
        else:
            frame = pl.read_csv(path, infer_schema=False)
    except (OSError, UnicodeDecodeError, ValueError, pl.exceptions.PolarsError) as err:
        raise InputError(f"Could not read rubrics from {path}: {err}") from None
    text = "rubric" if "rubric" in frame.columns else "text"
    if "class" not in frame.columns or text not in frame.columns:
        raise InputError(
            f"{path} needs a 'class' and a 'rubric' (or 'text') field; it has: {', '.join(frame.columns)}."
        )
    return {str(c): str(t or "") for c, t in frame.select("class", text).iter_rows()}


def cmd_rubric(args: argparse.Namespace) -> int:
    from storage.project import Project
    from storage.rubrics import read_rubric, set_rubric
    from storage.versions import get_version, resolve_version

    with Project.open(args.project) as project:
        version = get_version(project, resolve_version(project, args.dataset))
        edits: dict[str, str] = {}
        if args.file:
            edits.update(_read_file(Path(args.file)))
        if args.set:
            edits[args.set[0]] = args.set[1]
        for name, text in edits.items():
            set_rubric(project, version.dataset_id, name, text)
        rubric = read_rubric(project, version.dataset_id)
    if args.json:
        print(json.dumps({"dataset": version.dataset, "rubric": rubric}, indent=2, ensure_ascii=False))
        return 0
    if edits:
        print(f"Set {len(edits):,} rubric(s) of dataset '{version.dataset}'.")
    if not rubric:
        print(f"Dataset '{version.dataset}' has no rubric yet; add one with --set CLASS TEXT or --file.")
    for name, text in sorted(rubric.items()):
        print(f"{name}: {text}")
    return 0


def add_parser(sub: Any) -> None:
    """Add ``strata rubric``."""
    p = sub.add_parser("rubric", help="show or edit the class rubrics the review queue shows")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name (default: the newest)")
    p.add_argument("--set", nargs=2, metavar=("CLASS", "TEXT"), help="set one class's rubric ('' removes it)")
    p.add_argument("--file", help="CSV or JSON with 'class' and 'rubric' fields")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rubric)
