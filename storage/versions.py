"""Datasets and their versions: listing, resolving a name to a version, reading rows, writing new ones.

A version's rows live in a table of their own (:mod:`storage.rows`); a new version is written with
its rows (and, for an import, its model run) in one transaction, so it is whole or absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.annotations import copy_annotations, insert_annotations
from storage.cluster_names import copy_cluster_names
from storage.errors import InputError, ProjectError
from storage.project import Project
from storage.rows import create_row_table, execute_many, quote_ident, read_row_table
from storage.runs import NewRun, copy_run, insert_run
from storage.schema import Dataset, DatasetVersion
from storage.stage_copy import copy_map_stages


@dataclass(frozen=True)
class Version:
    """A dataset version: where it came from, its roles, column types and label set."""

    version_id: int
    dataset_id: int
    dataset: str
    number: int
    rows: int
    roles: dict[str, Any]
    column_types: dict[str, str]
    label_names: list[str]
    row_table: str
    source_path: str
    source_sha256: str
    imported_at: datetime | None = None
    note: str = ""


def _version(v: DatasetVersion, dataset: str) -> Version:
    return Version(
        v.id,
        v.dataset_id,
        dataset,
        v.number,
        v.row_count,
        dict(v.roles),
        dict(v.column_types),
        list(v.label_names),
        v.row_table,
        v.source_path,
        v.source_sha256,
        v.imported_at,
        v.note or "",
    )


def list_versions(project: Project) -> list[Version]:
    """Return every dataset version, oldest first."""
    with project.session() as s:
        rows = s.execute(select(DatasetVersion, Dataset.name).join(Dataset).order_by(DatasetVersion.id)).all()
        return [_version(v, name) for v, name in rows]


def get_version(project: Project, version_id: int) -> Version:
    """Return a version by id.

    Raises
    ------
    ProjectError
        When there is no such version.
    """
    for v in list_versions(project):
        if v.version_id == version_id:
            return v
    raise ProjectError(f"No dataset version {version_id} in {project.path}.")


def resolve_version(project: Project, ref: str | None = None) -> int:
    """The version a user names: ``None`` (newest version of the newest dataset), a dataset name
    (its newest version), ``dataset:number`` or a version id.

    Raises
    ------
    ProjectError
        When the project has no dataset, or nothing matches ``ref``; the message lists the versions.
    """
    versions = list_versions(project)
    if not versions:
        raise ProjectError(f"{project.path} has no dataset yet; import one with `strata import`.")
    if ref is None:
        return versions[-1].version_id
    for v in versions:
        if ref in (str(v.version_id), f"{v.dataset}:{v.number}"):
            return v.version_id
    named = [v for v in versions if v.dataset == ref]
    if named:
        return named[-1].version_id
    known = ", ".join(f"{v.dataset}:{v.number}" for v in versions)
    raise ProjectError(
        f"{project.path} has no dataset or version '{ref}'; versions are {known} (or their ids, or a "
        "dataset name for its newest version)."
    )


def read_rows(project: Project, version_id: int, columns: list[str] | None = None) -> pl.DataFrame:
    """Return a version's rows (system columns first) as a polars DataFrame."""
    v = get_version(project, version_id)
    return read_row_table(project.engine, v.row_table, v.column_types, columns)


@dataclass(frozen=True)
class NewVersion:
    """A version to write.

    Attributes
    ----------
    dataset : str
        Dataset name.
    next_of_existing : bool
        True to add the next version of an existing dataset, False to start a new dataset.
    rows : polars.DataFrame
        The rows with ``_row_id``, ``_row_key`` and ``_content_hash`` first.
    column_types : dict of str to str
        Logical type per user column.
    annotations : polars.DataFrame or None
        Several annotators' labels of the rows (:func:`storage.annotations.insert_annotations`).
    """

    dataset: str
    next_of_existing: bool
    rows: pl.DataFrame
    column_types: dict[str, str]
    roles: dict[str, Any]
    label_names: list[str]
    source_path: str
    source_sha256: str
    note: str = ""
    log_detail: dict[str, Any] | None = None
    annotations: pl.DataFrame | None = None


def _dataset_id(s: Session, name: str, existing: bool) -> int:
    found = s.scalar(select(Dataset.id).where(Dataset.name == name))
    if existing and found is None:
        raise InputError(f"No dataset named '{name}' to add a version to; import it first.")
    if not existing and found is not None:
        raise InputError(
            f"A dataset named '{name}' already exists; import with another --name, "
            f"or as its next version with --version-of '{name}'."
        )
    if found is not None:
        return int(found)
    dataset = Dataset(name=name)
    s.add(dataset)
    s.flush()
    return int(dataset.id)


def _next_number(s: Session, dataset_id: int) -> int:
    latest = s.scalar(select(func.max(DatasetVersion.number)).where(DatasetVersion.dataset_id == dataset_id))
    return int(latest or 0) + 1


def add_version(project: Project, new: NewVersion, run: NewRun | None = None) -> tuple[Version, int | None]:
    """Write a version (its rows in a new table) and optionally its model run, in one transaction.

    Returns
    -------
    (Version, int or None)
        The version written and the run's id.

    Raises
    ------
    InputError
        When the dataset must exist and does not, or must not and does; nothing is written.
    """
    with project.session() as s:
        dataset_id = _dataset_id(s, new.dataset, new.next_of_existing)
        version = DatasetVersion(
            dataset_id=dataset_id,
            number=_next_number(s, dataset_id),
            source_path=new.source_path,
            source_sha256=new.source_sha256,
            row_count=new.rows.height,
            roles=new.roles,
            column_types=new.column_types,
            label_names=new.label_names,
            row_table="",
            note=new.note,
        )
        s.add(version)
        s.flush()
        version.row_table = f"rows_{version.id}"
        create_row_table(s.connection(), version.row_table, new.rows, new.column_types)
        run_id = insert_run(s, version.id, run) if run is not None else None
        if new.annotations is not None:
            insert_annotations(s, version.id, new.annotations)
        project.log("import", (new.log_detail or {}) | {"version": version.id, "rows": new.rows.height}, s)
        version_id = int(version.id)
    return get_version(project, version_id), run_id  # as stored (SQLite keeps times without a zone)


def add_relabelled_version(
    project: Project,
    source: Version,
    column: str,
    original: str,
    corrections: dict[int, str],
    note: str,
    losses: dict[int, NDArray[np.float64] | None],
) -> int:
    """Write the next version of ``source`` with the label column ``column`` holding the corrections.

    The new row table is a copy of the source's with ``column`` added (initialised from ``original``)
    and the corrected rows updated; every run in ``losses`` (run id → new per-row loss, or None to
    keep it) is copied onto the new version, and so are the source's map (:mod:`storage.stage_copy`:
    the texts are unchanged) and its annotations. One transaction. Returns the new version's id.
    """
    with project.session() as s:
        version = DatasetVersion(
            dataset_id=source.dataset_id,
            number=_next_number(s, source.dataset_id),
            source_path=source.source_path,
            source_sha256=source.source_sha256,
            row_count=source.rows,
            roles=source.roles | {"label": column},
            column_types=source.column_types | {column: "String"},
            label_names=source.label_names,
            row_table="",
            note=note,
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
        for run_id, loss in losses.items():
            copy_run(conn, run_id, version.id, loss)
        copy_map_stages(s, source.version_id, version.id)
        copy_cluster_names(s, source.version_id, version.id)
        copy_annotations(s, source.version_id, version.id)
        project.log(
            "correct_labels",
            {"from_version": source.version_id, "to_version": version.id, "rows": len(corrections)},
            s,
        )
        return int(version.id)
