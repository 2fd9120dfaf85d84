"""The error report: counts per error mode, error-dense clusters and the top label issues."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from analysis.errors.tag_counts import tag_counts
from analysis.generative.summary import generative_summary
from storage.project import Project
from storage.tags import list_tags, read_row_tags
from storage.versions import get_version, read_rows


def error_report(project: Project, version_id: int, top: int = 10) -> dict[str, Any]:
    """Summarise a version's error modes.

    Returns
    -------
    dict
        ``rows``; ``modes``: {tag: {"rows", "share", "kind", "sources"}} for every tag on the version's
        rows (automatic and human), distinct rows by decreasing count, as the error panel counts them
        (:func:`analysis.errors.tag_counts.tag_counts`); ``error_clusters``: the
        error-dense clusters (name, rows, error_rate, q_value) by error rate; ``label_issues``: the
        ``top`` label issues by score (row, key, text, label, suggested, score); ``generative``: per
        generative run, its pass rate and length bias
        (:func:`analysis.generative.summary.generative_summary`); ``notes``.
    """
    version = get_version(project, version_id)
    tags = read_row_tags(project, version_id)
    n = version.rows
    modes = {
        c.name: {"rows": c.rows, "share": round(c.share, 4), "kind": c.kind, "sources": list(c.sources)}
        for c in tag_counts(tags, n, list_tags(project))
    }
    clusters: dict[str, dict[str, Any]] = {}
    for detail in tags.filter(pl.col("tag") == "error_cluster")["detail"].to_list():
        info = json.loads(detail)
        entry = clusters.setdefault(
            info["cluster"],
            {
                "name": info["cluster"],
                "rows": 0,
                "error_rate": info["error_rate"],
                "q_value": info["q_value"],
            },
        )
        entry["rows"] += 1
    issues = tags.filter(pl.col("tag") == "label_issue").sort("score", descending=True).head(top)
    text_col, label_col = version.roles.get("text"), version.roles.get("label")
    columns = [c for c in (text_col, label_col) if isinstance(c, str)]
    rows = read_rows(project, version_id, columns)
    label_issues = []
    for row_id, score, detail in issues.select("row_id", "score", "detail").iter_rows():
        row = rows.row(row_id, named=True)
        info = json.loads(detail) if detail else {}
        label_issues.append(
            {
                "row": row_id,
                "key": row["_row_key"],
                "text": row[text_col] if isinstance(text_col, str) else None,
                "label": row[label_col] if isinstance(label_col, str) else None,
                "suggested": info.get("suggested"),
                "score": round(score, 4),
                "probabilities": info.get("probabilities"),
            }
        )
    notes = sorted({x for x in tags.filter(pl.col("source") == "auto")["note"].unique().to_list() if x})
    return {
        "rows": n,
        "modes": modes,
        "error_clusters": sorted(clusters.values(), key=lambda c: -c["error_rate"])[:top],
        "label_issues": label_issues,
        "generative": generative_summary(project, version_id),
        "notes": notes,
    }
