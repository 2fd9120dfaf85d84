"""Drift of generative runs between the two sides of a drift report: each run present on both sides
(by name), its first evaluator score, its verdicts and its response tokens, tested like columns; and
the diversity of the texts and responses of each side, with the drops flagged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from analysis.drift.columns import ColumnDrift, column_drift
from analysis.drift.diversity import measure_diversity
from analysis.generative.diversity import MEASURES, dropped
from analysis.generative.runs import RunOutcomes, generative_runs, run_outcomes
from analysis.progress import Progress
from storage.project import Project

if TYPE_CHECKING:  # report.py imports this module
    from analysis.drift.report import Side


def run_drift(
    project: Project, reference: Side, current: Side
) -> list[tuple[ColumnDrift, pl.Series, pl.Series]]:
    """Per generative run on both sides (matched by name), except the run the reference frame shows
    (its columns are tested with the others): ``<run>: <score>``, ``<run>: passed`` and
    ``<run>: response tokens``, each by :func:`analysis.drift.columns.column_drift`, with the values
    tested on each side (for the charts)."""
    shown = reference.frame.run_name
    found = []
    ref_runs = {r.name: r for r in generative_runs(project, reference.version_id)}
    read: dict[int, RunOutcomes] = {}  # sides of one version (windows, subsets) share their runs
    for run in generative_runs(project, current.version_id):
        if run.name not in ref_runs or run.name == shown:
            continue
        sides = []
        for side, r in ((reference, ref_runs[run.name]), (current, run)):
            if r.run_id not in read:
                read[r.run_id] = run_outcomes(project, r, side.frame.rows.height)
            outcomes = read[r.run_id]
            rows = side.table["_row_id"].to_numpy()
            measures = {"passed": outcomes.passed[rows], "response tokens": outcomes.response_tokens[rows]}
            if outcomes.score is not None:
                measures = {str(outcomes.score_name): outcomes.score[rows]} | measures
            sides.append(measures)
        for measure, values in sides[0].items():
            ref_values, cur_values = (pl.Series(v[~np.isnan(v)]) for v in (values, sides[1][measure]))
            if ref_values.len() > 1 and cur_values.len() > 1:
                name = f"{run.name}: {measure}"
                found.append((column_drift(name, ref_values, cur_values), ref_values, cur_values))
    return found


def side_diversity(
    project: Project, reference: Side, current: Side, progress: Progress
) -> list[dict[str, Any]]:
    """Each source of texts on both sides (the text column, each run's responses): every diversity
    measure on each side and whether it dropped (:func:`analysis.generative.diversity.dropped`).

    Returns
    -------
    list of dict
        ``source``, ``measure``, ``reference``, ``current`` and ``dropped`` (bool).
    """
    sides = [reference, current]
    entries = measure_diversity(
        project,
        [s.version_id for s in sides],
        progress=progress,
        rows=[s.table["_row_id"].to_numpy() for s in sides],
    )
    half: list[dict[str, Any]] = [{}, {}]
    for entry in entries:
        half[entry.part][entry.source] = entry.diversity
    rows: list[dict[str, Any]] = []
    for source, before in half[0].items():
        after = half[1].get(source)
        if after is None:
            continue
        flagged = set(dropped(before, after))
        rows.extend(
            {
                "source": source,
                "measure": m,
                "reference": getattr(before, m),
                "current": getattr(after, m),
                "dropped": m in flagged,
            }
            for m in MEASURES
        )
    return rows
