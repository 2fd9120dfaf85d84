"""The failure-mode backlog with evidence: per version of a dataset, how many rows each failure mode
covers and their error rate, so a data fix shows as a falling count or rate in the next version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.labeling.gold_report import name_of
from analysis.slices.filters import evaluate, filter_table, list_slices
from analysis.stats import wilson_interval
from analysis.view_frame import FrameSource, ViewFrame, frame_cache
from storage.backlog import STATUSES, BacklogEntry, read_backlog
from storage.dataset_meta import RISK_LEVELS
from storage.errors import InputError
from storage.project import Project
from storage.versions import list_versions

__all__ = ["RISK_LEVELS", "STATUSES", "BacklogItem", "ModeInVersion", "backlog_report"]


@dataclass(frozen=True)
class ModeInVersion:
    """One failure mode in one version: rows it covers, and among those with a prediction, errors."""

    version: str
    rows: int
    judged: int
    errors: int

    @property
    def error_rate(self) -> float | None:
        """Errors / judged rows, None without a model run."""
        return self.errors / self.judged if self.judged else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values, with the Wilson 95% interval of the error rate."""
        low: float | None = None
        high: float | None = None
        if self.judged:
            lo, hi = wilson_interval(self.errors, self.judged)
            low, high = float(lo), float(hi)
        return {
            "version": self.version,
            "rows": self.rows,
            "errors": self.errors,
            "error_rate": self.error_rate,
            "low": low,
            "high": high,
        }


@dataclass
class BacklogItem:
    """A backlog entry and its figures per version, oldest version first."""

    entry: BacklogEntry
    versions: list[ModeInVersion] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return self.entry.as_dict() | {
            "versions": [v.as_dict() for v in self.versions],
            "evidence": self.note,
        }


def _mask(
    entry: BacklogEntry, frame: ViewFrame, slices: dict[str, dict[str, Any]]
) -> NDArray[np.bool_] | None:
    """Rows the failure mode covers: its slice's or cluster's rows, else the rows carrying its tag."""
    kind, _, ref = entry.link.partition(":")
    if kind == "slice":
        if ref not in slices:
            return None
        try:
            return evaluate(filter_table(frame), slices[ref])
        except InputError:
            return None
    if kind == "cluster":
        labels = [c.label for c in frame.clusters if ref in (c.name, c.auto_name)]
        if not labels or "cluster" not in frame.rows.columns:
            return None
        return np.asarray(frame.rows["cluster"].is_in(labels).to_numpy(), dtype=bool)
    return frame.tag_mask(entry.tag)


def backlog_report(
    project: Project, dataset_id: int | None = None, frames: FrameSource | None = None
) -> list[BacklogItem]:
    """Every failure mode with its rows and error rate in each version of a dataset.

    Parameters
    ----------
    dataset_id : int, optional
        The dataset whose versions are counted (default: the newest dataset's).
    frames : FrameSource, optional
        Where versions' frames come from (:func:`analysis.view_frame.frame_cache`), when the caller
        reads them for other work too.

    Returns
    -------
    list of BacklogItem
        By tag name. A mode linked to a slice is counted by the slice's filter in every version; one
        linked to a cluster, by the cluster of that name in each version that has it; an unlinked one,
        by the rows carrying its tag. Versions where the definition does not apply are left out.
    """
    entries = read_backlog(project)
    versions = list_versions(project)
    if dataset_id is None and versions:
        dataset_id = versions[-1].dataset_id
    chosen = [v for v in versions if v.dataset_id == dataset_id]
    items = [BacklogItem(e) for e in entries]
    if not items:
        return items
    slices = list_slices(project)
    frames = frames or frame_cache(project)
    for version in chosen:
        frame = frames(version.version_id)
        correct = frame.rows.get_column("correct", default=None)
        for item in items:
            mask = _mask(item.entry, frame, slices)
            if mask is None:
                continue
            judged = errors = 0
            if correct is not None:
                known = correct.filter(pl.Series(mask)).drop_nulls()
                judged, errors = known.len(), int((~known).sum())
            item.versions.append(ModeInVersion(name_of(version), int(mask.sum()), judged, errors))
    for item in items:
        kind = item.entry.link.partition(":")[0]
        item.note = {"slice": "rows of its slice", "cluster": "rows of its cluster"}.get(
            kind, "rows tagged with it"
        )
    return items
