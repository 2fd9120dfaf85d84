"""Quality KPIs of each version of a dataset: rows, label-issue share, exact and near-duplicate shares,
gold accuracy, drifted columns against the version before, approval — the figures a team watches over
releases (the KPI chart and the report draw them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from analysis.drift.columns import version_drift
from analysis.governance.data_checks import GateInputs
from analysis.labeling.gold_report import label_accuracy, name_of
from analysis.progress import NullProgress, Progress, check_cancel
from analysis.slices.filters import filter_table
from analysis.view_frame import FrameSource, frame_cache
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


def dataset_kpis(
    project: Project, dataset_id: int, progress: Progress | None = None, frames: FrameSource | None = None
) -> list[VersionKpis]:
    """KPIs of every version of a dataset, oldest first.

    Parameters
    ----------
    dataset_id : int
    progress : Progress, optional
        Advanced once per version; polled for cancellation between versions.
    frames : FrameSource, optional
        Where versions' frames come from (:func:`analysis.view_frame.frame_cache`), when the caller
        reads them for other work too.

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
    frames = frames or frame_cache(project)
    out: list[VersionKpis] = []
    previous: pl.DataFrame | None = None
    for v in versions:
        check_cancel(progress)
        table = filter_table(frames(v.version_id))
        inputs = GateInputs(project, v, table, latest_stage(project, v.version_id, "tag") is not None, frames)
        out.append(
            VersionKpis(
                v.version_id,
                name_of(v),
                table.height,
                v.version_id in approved,
                inputs.tag_share("label_issue") if inputs.tagged else None,
                inputs.exact_copies / max(table.height, 1),
                inputs.tag_share("near_duplicate") if inputs.tagged else None,
                label_accuracy(project, gold_rows, v) if gold_rows is not None else None,
                gold.name if gold is not None else None,
                None if previous is None else sum(d.drift for d in version_drift(previous, table, v.roles)),
            )
        )
        previous = table
        progress.advance()
    return out
