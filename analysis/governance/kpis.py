"""Quality KPIs of each version of a dataset: rows, label-issue share, exact and near-duplicate shares,
gold accuracy, drifted columns against the version before, approval — the figures a team watches over
releases (the KPI chart and the report draw them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from analysis.drift.columns import default_columns, drift_report
from analysis.labeling.gold import score_against_gold
from analysis.labeling.gold_report import name_of, version_rows
from analysis.progress import NullProgress, Progress, check_cancel
from analysis.slices.filters import tag_column, version_table
from storage.approvals import approved_version_ids
from storage.gold_sets import list_gold_sets, read_gold_rows
from storage.project import Project
from storage.stage_outputs import latest_stage
from storage.versions import list_versions

# (attribute, title, unit) of the KPIs drawn over versions
KPI_SERIES = (
    ("label_issue_share", "Label issues", "share"),
    ("exact_duplicate_share", "Exact duplicates", "share"),
    ("near_duplicate_share", "Near-duplicates", "share"),
    ("gold_accuracy", "Gold accuracy", "share"),
    ("drifted_columns", "Drifted columns", "count"),
    ("rows", "Rows", "count"),
)


@dataclass(frozen=True)
class VersionKpis:
    """One version's KPIs; None where it was not measured (no tag stage, no gold set, first version)."""

    version_id: int
    version: str
    rows: int
    approved: bool
    label_issue_share: float | None
    exact_duplicate_share: float
    near_duplicate_share: float | None
    gold_accuracy: float | None
    gold_set: str | None
    drifted_columns: int | None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return asdict(self)


def _share(table: pl.DataFrame, tag: str, tagged: bool) -> float | None:
    if not tagged:
        return None
    column = tag_column(tag)
    return float(table[column].sum()) / max(table.height, 1) if column in table.columns else 0.0


def dataset_kpis(project: Project, dataset_id: int, progress: Progress | None = None) -> list[VersionKpis]:
    """KPIs of every version of a dataset, oldest first.

    Parameters
    ----------
    dataset_id : int
    progress : Progress, optional
        Advanced once per version; polled for cancellation between versions.

    Returns
    -------
    list of VersionKpis
        Gold accuracy is the version's labels on the dataset's first gold set; drifted columns use the
        drift tests of :mod:`analysis.drift.columns` against the previous version.
    """
    progress = progress or NullProgress()
    versions = [v for v in list_versions(project) if v.dataset_id == dataset_id]
    progress.total(len(versions))
    approved = approved_version_ids(project)
    gold = next((g for g in list_gold_sets(project) if g.dataset_id == dataset_id), None)
    gold_rows = read_gold_rows(project, gold.gold_id) if gold is not None else None
    out: list[VersionKpis] = []
    previous: pl.DataFrame | None = None
    for v in versions:
        check_cancel(progress)
        table = version_table(project, v.version_id)
        tagged = latest_stage(project, v.version_id, "tag") is not None
        accuracy = None
        if gold_rows is not None:
            rows, label = version_rows(project, v)
            if label is not None:
                score = score_against_gold(
                    gold_rows,
                    rows,
                    subject=name_of(v),
                    kind="labels",
                    version_id=v.version_id,
                    label_column=label,
                )
                accuracy = score.accuracy if score.compared else None
        drifted = None
        if previous is not None:
            skip = {v.roles.get("text"), v.roles.get("id"), v.roles.get("time")}
            columns = default_columns(previous, table, skip)
            drifted = sum(d.drift for d in drift_report(previous, table, columns))
        out.append(
            VersionKpis(
                v.version_id,
                name_of(v),
                table.height,
                v.version_id in approved,
                _share(table, "label_issue", tagged),
                (table.height - table["_content_hash"].n_unique()) / max(table.height, 1),
                _share(table, "near_duplicate", tagged),
                accuracy,
                gold.name if gold is not None else None,
                drifted,
            )
        )
        previous = table
        progress.advance()
    return out
