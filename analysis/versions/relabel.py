"""Corrected labels become a new dataset version: the imported data is never overwritten."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from storage.errors import InputError
from storage.project import Project
from storage.runs import Run, list_runs, read_probabilities
from storage.versions import add_relabelled_version, get_version, read_rows


def corrected_column(label_column: str) -> str:
    """Name of the corrected-label column added next to ``label_column``."""
    return f"{label_column}_corrected"


def create_corrected_version(
    project: Project, version_id: int, corrections: dict[int, str], note: str = ""
) -> int:
    """Copy a version with corrected labels in a new column, as the dataset's next version.

    Parameters
    ----------
    version_id : int
        The version reviewed.
    corrections : dict of int to str
        ``_row_id`` → corrected label (a class of the label set).

    Returns
    -------
    int
        The new version's id. Its label role points to ``<label>_corrected`` (the original column stays),
        its model runs are copied with the loss recomputed against the corrected labels.

    Raises
    ------
    InputError
        When the version has no label column, nothing is corrected, or a label is outside the label set.
    """
    source = get_version(project, version_id)
    label = source.roles.get("label")
    if not isinstance(label, str):
        raise InputError("This version has no label column to correct.")
    if not corrections:
        raise InputError("No corrections to save.")
    unknown = sorted({v for v in corrections.values() if v not in source.label_names})
    if unknown:
        raise InputError(f"Labels {unknown[:5]} are not in the label set.")
    original = label[: -len("_corrected")] if label.endswith("_corrected") else label
    column = corrected_column(original)
    labels = read_rows(project, version_id, [label])[label].cast(pl.String).to_list()
    for row, corrected in corrections.items():
        labels[row] = corrected
    losses = {run.run_id: _loss(project, run, labels) for run in list_runs(project, version_id)}
    return add_relabelled_version(
        project,
        source,
        column,
        original,
        corrections,
        note or f"{len(corrections)} label(s) corrected from version {source.number}",
        losses,
    )


def _loss(project: Project, run: Run, labels: list[str | None]) -> NDArray[np.float64] | None:
    """Cross-entropy of ``run`` against ``labels`` (NaN where unlabelled); None without probabilities."""
    probs = read_probabilities(project, run.run_id)
    if probs is None:
        return None
    index = {c: i for i, c in enumerate(run.label_names)}
    given = np.array([index.get(lab, -1) if lab is not None else -1 for lab in labels])
    loss = np.full(len(labels), np.nan)
    known = given >= 0
    loss[known] = -np.log(np.clip(probs[np.flatnonzero(known), given[known]], 1e-12, None))
    return loss
