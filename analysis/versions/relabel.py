"""Corrected labels become a new dataset version: the imported data is never overwritten."""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, func, select

from analysis.catalog import get_version, list_runs, read_probabilities
from storage.errors import InputError
from storage.project import Project
from storage.rows import execute_many, quote_ident
from storage.schema import DatasetVersion, ModelRun


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
    with project.session() as s:
        number = (
            s.scalar(
                select(func.max(DatasetVersion.number)).where(DatasetVersion.dataset_id == source.dataset_id)
            )
            or 0
        ) + 1
        version = DatasetVersion(
            dataset_id=source.dataset_id,
            number=number,
            source_path=source.source_path,
            source_sha256=source.source_sha256,
            row_count=source.row_count,
            roles=source.roles | {"label": column},
            column_types=source.column_types | {column: "String"},
            label_names=source.label_names,
            row_table="",
            note=note or f"{len(corrections)} label(s) corrected from version {source.number}",
        )
        s.add(version)
        s.flush()
        version.row_table = f"rows_{version.id}"
        conn = s.connection()
        new, old = quote_ident(version.row_table), quote_ident(source.row_table)
        conn.exec_driver_sql(f"CREATE TABLE {new} AS SELECT * FROM {old}")
        if column not in source.column_types:
            conn.exec_driver_sql(f"ALTER TABLE {new} ADD COLUMN {quote_ident(column)} TEXT")
            conn.exec_driver_sql(f"UPDATE {new} SET {quote_ident(column)} = {quote_ident(original)}")
        conn.exec_driver_sql(f"CREATE INDEX {quote_ident(version.row_table + '_key')} ON {new} (_row_key)")
        execute_many(
            conn,
            f"UPDATE {new} SET {quote_ident(column)} = ? WHERE _row_id = ?",
            [(lab, int(r)) for r, lab in corrections.items()],
        )
        labels_now = [
            r[0] for r in conn.exec_driver_sql(f"SELECT {quote_ident(column)} FROM {new} ORDER BY _row_id")
        ]
        for run in list_runs(project, version_id):
            _copy_run(project, conn, run, version.id, labels_now)
        project.log(
            "correct_labels",
            {"from_version": version_id, "to_version": version.id, "rows": len(corrections)},
            s,
        )
        return version.id


def _copy_run(
    project: Project, conn: Connection, run: ModelRun, version_id: int, labels: list[str | None]
) -> None:
    """Copy a model run onto the new version, recomputing the loss against the corrected labels."""
    result = conn.exec_driver_sql(
        "INSERT INTO model_run (version_id, name, label_names, source_path, has_probabilities, created_at) "
        "SELECT ?, name, label_names, source_path, has_probabilities, created_at FROM model_run WHERE id = ?",
        (version_id, run.id),
    )
    new_id = result.lastrowid
    conn.exec_driver_sql(
        "INSERT INTO prediction (run_id, row_id, predicted_label, confidence, margin, loss, probabilities) "
        "SELECT ?, row_id, predicted_label, confidence, margin, loss, probabilities FROM prediction "
        "WHERE run_id = ?",
        (new_id, run.id),
    )
    probs = read_probabilities(project, run.id)
    if probs is None:
        return
    index = {c: i for i, c in enumerate(run.label_names)}
    rows = np.arange(len(labels))
    given = np.array([index.get(lab, -1) if lab is not None else -1 for lab in labels])
    known = given >= 0
    loss = -np.log(np.clip(probs[rows[known], given[known]], 1e-12, None))
    execute_many(
        conn,
        "UPDATE prediction SET loss = ? WHERE run_id = ? AND row_id = ?",
        [(float(v), new_id, int(r)) for v, r in zip(loss, rows[known], strict=True)],
    )
