"""One drift report between two row sets (versions, time windows or slices), as the CLI and the drift
view show it: per-column tests, embedding drift, cluster shares and the difference density on one
version's map, and metrics over time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.drift.columns import (
    ColumnDrift,
    domain_classifier_auc,
    mmd_permutation_test,
    version_drift,
)
from analysis.drift.on_map import Placement, cluster_share_shift, difference_density, place_rows
from analysis.drift.over_time import class_metrics_over_time, metrics_over_time
from analysis.drift.runs import run_drift, side_diversity
from analysis.progress import NullProgress, Progress, check_cancel
from analysis.slices.filters import evaluate, filter_table
from analysis.view_frame import ViewFrame, load_view_frame
from storage.errors import InputError
from storage.project import Project

EMBEDDING_AUC_DRIFT = 0.55


@dataclass(frozen=True)
class Side:
    """One side of a drift report: a version and the rows of it a filter keeps."""

    version_id: int
    frame: ViewFrame
    table: pl.DataFrame


def load_side(
    project: Project, version_id: int, where: str | None, name: str = "", loaded: ViewFrame | None = None
) -> Side:
    """The rows of ``version_id`` matching the SQL filter ``where``.

    Parameters
    ----------
    name : str
        What the side is called in messages.
    loaded : ViewFrame, optional
        A frame already in memory, used when it is of ``version_id`` (a million rows take seconds to
        load).

    Raises
    ------
    InputError
        When the filter is invalid or keeps fewer than two rows.
    """
    frame = (
        loaded
        if loaded is not None and loaded.version_id == version_id
        else load_view_frame(project, version_id)
    )
    table = filter_table(frame)
    if where:
        table = table.filter(pl.Series(evaluate(table, {"where": where})))
    if table.height < 2:
        what = f"{name or 'version ' + str(version_id)}{' where ' + where if where else ''}"
        raise InputError(f"{table.height} rows in {what}: drift needs at least two rows; widen the filter.")
    return Side(version_id, frame, table)


@dataclass
class DriftResult:
    """Everything a drift report shows; ``as_dict`` gives it as plain JSON values.

    The map fields are in the anchor version's terms: ``*_anchor`` are int64 row indices of the
    anchor each placed row sits on, ``density`` the (96, 96) current-minus-reference density over
    ``extent`` (x0, y0, x1, y1) of the anchor's map, row 0 at y0.
    """

    reference_rows: int
    current_rows: int
    columns: list[ColumnDrift]
    embeddings: dict[str, Any] | None = None
    clusters: list[dict[str, Any]] | None = None
    placement: dict[str, dict[str, int]] = field(default_factory=dict)
    anchor_version: int | None = None
    reference_anchor: NDArray[np.int64] | None = None
    current_anchor: NDArray[np.int64] | None = None
    density: NDArray[np.float64] | None = None
    extent: tuple[float, float, float, float] | None = None
    timeline: pl.DataFrame | None = None
    class_timeline: pl.DataFrame | None = None
    diversity: list[dict[str, Any]] | None = None
    # the values behind each run's tested measure (analysis.drift.runs.run_drift), for the charts
    run_values: dict[str, tuple[pl.Series, pl.Series]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Counts, tests, embedding drift, cluster shares and the timelines as plain JSON values."""
        return {
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "columns": [d.as_dict() for d in self.columns],
            "embeddings": self.embeddings,
            "clusters": self.clusters,
            "placement": self.placement,
            "anchor_version": self.anchor_version,
            "timeline": _records(self.timeline),
            "class_timeline": _records(self.class_timeline),
            "diversity": self.diversity,
        }


def _records(frame: pl.DataFrame | None) -> list[dict[str, Any]] | None:
    return None if frame is None else frame.with_columns(pl.col(pl.Datetime).cast(pl.String)).to_dicts()


def compute_drift(
    project: Project,
    reference: Side,
    current: Side,
    anchor: ViewFrame | None = None,
    columns: list[str] | None = None,
    embeddings: bool = False,
    every: str | None = None,
    progress: Progress | None = None,
    diversity: bool = False,
) -> DriftResult:
    """Drift of ``current`` against ``reference``.

    Parameters
    ----------
    anchor : ViewFrame, optional
        The version whose map and clusters both sides are placed on (default: the reference's).
    columns : list of str, optional
        Columns to test (default: :func:`analysis.drift.columns.default_columns`).
    embeddings : bool
        Also test the embeddings (domain classifier AUC, MMD); needs the embed stage on both versions.
    every : str, optional
        Time bucket (polars duration); automatic by default.
    diversity : bool
        Also measure the diversity of the texts and of each run's responses on both sides
        (:func:`analysis.drift.runs.side_diversity`; embeds the sampled texts not embedded yet).

    Generative runs on both sides (by name) have their scores, verdicts and response tokens tested
    like columns (:func:`analysis.drift.runs.run_drift`).

    Raises
    ------
    StageInputError
        ``embeddings`` without embedded versions.
    """
    progress = progress or NullProgress()
    ref, cur = reference.table, current.table
    frame = reference.frame
    progress.message("Testing columns")
    result = DriftResult(ref.height, cur.height, version_drift(ref, cur, frame.roles, columns))
    if columns is None:  # the drifted first, as drift_report orders columns
        runs = run_drift(project, reference, current)
        result.run_values = {d.column: (r, c) for d, r, c in runs}
        tested = [*result.columns, *(d for d, _, _ in runs)]
        result.columns = sorted(tested, key=lambda d: (not d.drift, -d.psi))
    check_cancel(progress)
    if diversity:
        progress.message("Measuring diversity")
        result.diversity = side_diversity(project, reference, current, progress)
    check_cancel(progress)
    if embeddings:
        progress.message("Testing embeddings")
        result.embeddings = embedding_drift(project, reference, current)
    check_cancel(progress)
    _place(project, result, anchor or reference.frame, reference, current)
    time = frame.roles.get("time")
    if isinstance(time, str) and time in ref.columns and time in cur.columns:
        progress.message("Metrics over time")
        both = _union(reference, current)
        result.timeline = metrics_over_time(both, time, frame.label_column, every)
        if frame.label_column and "predicted" in both.columns:
            result.class_timeline = class_metrics_over_time(both, time, frame.label_column, every)
    return result


def _union(reference: Side, current: Side) -> pl.DataFrame:
    """Both sides' rows once each: by row within a version; across versions the current row wins."""
    ref, cur = reference.table, current.table
    if reference.version_id == current.version_id:
        return pl.concat([ref, cur.filter(~pl.col("_row_id").is_in(ref["_row_id"].implode()))])
    return pl.concat(
        [ref.filter(~pl.col("_row_key").is_in(cur["_row_key"].implode())), cur], how="diagonal_relaxed"
    )


def embedding_drift(project: Project, reference: Side, current: Side) -> dict[str, Any]:
    """Domain-classifier ROC AUC (drift above 0.55) and MMD with its permutation p-value."""
    from storage.embeddings import version_vectors

    ref_v = version_vectors(project, reference.version_id, reference.table["_content_hash"].to_list())
    cur_v = version_vectors(project, current.version_id, current.table["_content_hash"].to_list())
    auc = domain_classifier_auc(ref_v, cur_v)
    mmd, p = mmd_permutation_test(ref_v, cur_v)
    return {"domain_classifier_auc": auc, "drift": auc > EMBEDDING_AUC_DRIFT, "mmd2": mmd, "mmd_p_value": p}


def _place(project: Project, result: DriftResult, anchor: ViewFrame, reference: Side, current: Side) -> None:
    placed: list[Placement] = [
        place_rows(project, anchor, side.version_id, side.table) for side in (reference, current)
    ]
    result.anchor_version = anchor.version_id
    result.placement = {"reference": placed[0].how, "current": placed[1].how}
    rows = [p.anchor_rows[p.anchor_rows >= 0] for p in placed]
    result.reference_anchor, result.current_anchor = rows
    if any(r.size == 0 for r in rows):
        return
    if "cluster" in anchor.rows.columns:
        labels = anchor.rows["cluster"].to_numpy()
        names = {c.label: c.name for c in anchor.clusters} | {-1: "noise"}
        result.clusters = [
            r | {"name": names.get(r["cluster"], str(r["cluster"]))}
            for r in cluster_share_shift(labels[rows[0]], labels[rows[1]])
        ]
    if anchor.coords is not None:
        x0, y0 = anchor.coords.min(axis=0)
        x1, y1 = anchor.coords.max(axis=0)
        result.extent = (float(x0), float(y0), float(x1), float(y1))
        result.density = difference_density(anchor.coords[rows[0]], anchor.coords[rows[1]], result.extent)
