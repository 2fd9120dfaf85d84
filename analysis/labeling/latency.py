"""Labeling latency: how long each label took an annotator, and how long items waited for a label.

*Time per label* is the gap between an annotator's consecutive labels, as annotation tools record
it (Label Studio's ``lead_time``, Prodigy's session timestamps): the first label of a sitting has no
gap, and a gap longer than ``idle_s`` is a break, not labeling, so it is left out. *Wait* is
``labelled_at`` minus the item's created-at time, when the dataset has one. Both are summarised per
annotator and per period of labelling time (medians: a few long gaps do not move them).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from storage.annotations import read_annotations
from storage.errors import InputError
from storage.project import Project
from storage.versions import get_version, read_rows

IDLE_S = 600.0
# candidate periods, shortest first: the first giving at most MAX_PERIODS points over the span is used
PERIODS = (("1h", 3_600), ("6h", 21_600), ("1d", 86_400), ("1w", 604_800), ("1mo", 2_629_746))
MAX_PERIODS = 40


@dataclass(frozen=True)
class LatencyReport:
    """Labeling latency of a version's annotations.

    Attributes
    ----------
    per_annotator : polars.DataFrame
        One row per annotator, most labels first: ``annotator`` (str), ``labels`` (int, timed labels),
        ``median_s`` and ``p90_s`` (float seconds per label; null with no gap under ``idle_s``),
        ``median_wait_s`` (float seconds from created to labelled; null without created-at times).
    over_time : polars.DataFrame
        One row per period of labelling time: ``period`` (datetime, its start), ``labels`` (int),
        ``median_s`` and ``median_wait_s`` as above.
    period : str
        The period's length as a polars duration (``1h``, ``1d``, …).
    idle_s : float
        Gaps longer than this (seconds) were breaks, left out.
    """

    per_annotator: pl.DataFrame
    over_time: pl.DataFrame
    period: str
    idle_s: float

    @property
    def has_wait(self) -> bool:
        """Whether the items' created-at times gave waits."""
        return bool(self.per_annotator["median_wait_s"].is_not_null().any())


def _period(span_s: float) -> str:
    for name, seconds in PERIODS:
        if span_s / seconds <= MAX_PERIODS:
            return name
    return PERIODS[-1][0]


def labeling_latency(
    annotations: pl.DataFrame, created_at: pl.DataFrame | None = None, idle_s: float = IDLE_S
) -> LatencyReport:
    """Time per label and wait for a label, per annotator and over time.

    Parameters
    ----------
    annotations : polars.DataFrame
        ``row_id`` (int), ``annotator`` (str), ``labelled_at`` (datetime; null where unknown), as
        :func:`storage.annotations.read_annotations` returns them.
    created_at : polars.DataFrame, optional
        ``row_id`` (int) and ``created_at`` (datetime): when each item was created (the dataset's
        time column). Waits are null without it, and for labels dated before their item.
    idle_s : float
        Seconds; a longer gap between an annotator's labels is a break (default 600).

    Returns
    -------
    LatencyReport

    Raises
    ------
    InputError
        When no annotation has a labelled-at time (import one with ``--labelled-at COLUMN``).
    """
    timed = annotations.filter(pl.col("labelled_at").is_not_null())
    if timed.is_empty():
        raise InputError(
            "No annotation has a labelled-at time, so there is no latency to show; import the "
            "annotations with --labelled-at COLUMN (the time each label was given)."
        )
    timed = timed.sort("annotator", "labelled_at").with_columns(
        gap_s=pl.col("labelled_at").diff().over("annotator").dt.total_microseconds() / 1e6
    )
    timed = timed.with_columns(gap_s=pl.when(pl.col("gap_s") <= idle_s).then(pl.col("gap_s")))
    if created_at is not None and not created_at.is_empty():
        timed = timed.join(created_at.select("row_id", "created_at"), on="row_id", how="left")
        wait = (pl.col("labelled_at") - pl.col("created_at").cast(pl.Datetime("us"))).dt.total_microseconds()
        timed = timed.with_columns(wait_s=pl.when(wait >= 0).then(wait / 1e6))
    else:
        timed = timed.with_columns(wait_s=pl.lit(None, dtype=pl.Float64))
    summary = [
        pl.len().alias("labels"),
        pl.col("gap_s").median().alias("median_s"),
        pl.col("wait_s").median().alias("median_wait_s"),
    ]
    per_annotator = (
        timed.group_by("annotator")
        .agg(*summary[:2], pl.col("gap_s").quantile(0.9).alias("p90_s"), summary[2])
        .sort(["labels", "annotator"], descending=[True, False])
    )
    span = (timed["labelled_at"].max() - timed["labelled_at"].min()).total_seconds()  # type: ignore[operator, union-attr]
    period = _period(float(span))
    over_time = (
        timed.sort("labelled_at")
        .group_by_dynamic("labelled_at", every=period)
        .agg(*summary)
        .rename({"labelled_at": "period"})
    )
    return LatencyReport(per_annotator, over_time, period, idle_s)


def version_latency(
    project: Project,
    version_id: int,
    created_at: str | None = None,
    idle_s: float = IDLE_S,
    annotations: pl.DataFrame | None = None,
) -> LatencyReport:
    """:func:`labeling_latency` of a version's stored annotations (``annotations`` when the caller has
    read them already), with the items' created-at times from column ``created_at`` (default: the
    version's time column, when it has one).

    Raises
    ------
    InputError
        The version has no annotations or none with a labelled-at time; ``created_at`` names no
        column of the version, or one that holds no times.
    """
    version = get_version(project, version_id)
    name = f"{version.dataset}:{version.number}"
    if annotations is None:
        annotations = read_annotations(project, version_id)
    if annotations.is_empty():
        raise InputError(
            f"{name} has no annotations; import several annotators' labels with --annotator-cols or "
            "--annotator, and --labelled-at."
        )
    column = created_at or version.roles.get("time")
    created = None
    if column:
        if column not in version.column_types:
            raise InputError(
                f"No column '{column}' in {name}; its columns: {', '.join(version.column_types)}."
            )
        rows = read_rows(project, version_id, [column])  # the system columns (_row_id) come too
        if not isinstance(rows[column].dtype, pl.Datetime):
            raise InputError(f"Column '{column}' of {name} holds {rows[column].dtype}, not times.")
        created = rows.select(row_id="_row_id", created_at=column)
    return labeling_latency(annotations, created, idle_s)


def readable_seconds(value: float | None) -> str:
    """Seconds as a person reads them: ``42 s``, ``3.5 min``, ``2.1 h``, ``4.0 d`` (``—`` for None)."""
    if value is None:
        return "—"
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if value >= size * 1.5:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} s"
