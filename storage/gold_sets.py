"""Gold sets: rows of a version frozen by row key with their content hash and gold label. This module
makes a set (marking) and reads sets and their rows; changing a set goes through an approval
(:mod:`storage.gold_approvals`), each one audit-logged.

Reads return frozen dataclasses and polars frames; the rows are written and read in bulk
(:func:`storage.rows.execute_many`, :func:`storage.rows.read_query`). What counts as a violation and
how a version or a run is scored against a gold set is the analysis' business
(:mod:`analysis.labeling.gold`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.errors import InputError
from storage.project import Project, current_user
from storage.rows import execute_many, read_query
from storage.schema import Dataset, DatasetVersion, GoldSet

# The columns of a gold-row frame, in order, with their dtypes.
GOLD_ROW_SCHEMA: dict[str, Any] = {
    "row_key": pl.String,
    "content_hash": pl.String,
    "label": pl.String,
    "version_id": pl.Int64,
}


@dataclass(frozen=True)
class GoldSetInfo:
    """A gold set as stored.

    Attributes
    ----------
    gold_id : int
    name : str
    dataset_id : int
    dataset : str
        Name of the dataset it was made from.
    version_id : int
        The version it was made from.
    version_number : int
        That version's number within the dataset.
    slice_name : str or None
        The slice it was made from (None: a filter given there and then, or the whole version).
    filter : dict or None
        The filter as it was when the set was made (None: the whole version).
    label_column : str or None
        The version's label column whose values became the gold labels.
    rows : int
        Rows in the set now.
    revision : int
        Approved changes since the set was made.
    author : str
    created_at : datetime or None
    note : str
    """

    gold_id: int
    name: str
    dataset_id: int
    dataset: str
    version_id: int
    version_number: int
    slice_name: str | None
    filter: dict[str, Any] | None
    label_column: str | None
    rows: int
    revision: int
    author: str
    created_at: datetime | None
    note: str

    @property
    def source(self) -> str:
        """Where the set was made from, in words: ``bank:1``, ``bank:1 slice 'hard'``, ``bank:1 where …``."""
        base = f"{self.dataset}:{self.version_number}"
        if self.slice_name:
            return f"{base} slice '{self.slice_name}'"
        if self.filter and self.filter.get("where"):
            return f"{base} where {self.filter['where']}"
        return base


def _info(g: GoldSet, dataset: str, number: int) -> GoldSetInfo:
    return GoldSetInfo(
        g.id,
        g.name,
        g.dataset_id,
        dataset,
        g.version_id,
        number,
        g.slice_name,
        dict(g.filter) if g.filter is not None else None,
        g.label_column,
        g.row_count,
        g.revision,
        g.author,
        g.created_at,
        g.note or "",
    )


def check_gold_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Gold rows in :data:`GOLD_ROW_SCHEMA`'s columns and dtypes, checked for what a gold set needs.

    Parameters
    ----------
    rows : polars.DataFrame
        At least the columns of :data:`GOLD_ROW_SCHEMA`; others are dropped, values cast.

    Returns
    -------
    polars.DataFrame
        The rows, :data:`GOLD_ROW_SCHEMA` exactly (possibly none).

    Raises
    ------
    InputError
        When a column is missing, a row key, content hash or version is null, or a row key repeats.
    """
    missing = [c for c in GOLD_ROW_SCHEMA if c not in rows.columns]
    if missing:
        raise InputError(f"Gold rows need the columns {', '.join(GOLD_ROW_SCHEMA)}; missing {missing}.")
    rows = rows.select(pl.col(c).cast(t) for c, t in GOLD_ROW_SCHEMA.items())
    empty = rows.select(pl.col("row_key", "content_hash", "version_id").null_count()).row(0)
    if any(empty):
        raise InputError("Every gold row needs a row key, a content hash and the version it comes from.")
    if rows["row_key"].n_unique() != rows.height:
        raise InputError("A gold set holds each row key once; the rows given repeat some.")
    return rows


def insert_gold_rows(session: Session, gold_id: int, rows: pl.DataFrame) -> None:
    """Insert checked rows (:func:`check_gold_rows`) into a gold set, in bulk, in the session's
    transaction; row keys already in the set must have been deleted first."""
    execute_many(
        session.connection(),
        "INSERT INTO gold_row (gold_set_id, row_key, content_hash, label, version_id) VALUES (?, ?, ?, ?, ?)",
        ((int(gold_id), *r) for r in rows.iter_rows()),
    )


def create_gold_set(
    project: Project,
    name: str,
    version_id: int,
    rows: pl.DataFrame,
    *,
    label_column: str | None,
    slice_name: str | None = None,
    filter_spec: dict[str, Any] | None = None,
    note: str = "",
    author: str | None = None,
) -> GoldSetInfo:
    """Store a new gold set and its frozen rows in one transaction, with an audit-log entry.

    Parameters
    ----------
    name : str
        Unique name of the set.
    version_id : int
        The version the rows were frozen from.
    rows : polars.DataFrame
        :data:`GOLD_ROW_SCHEMA`: ``row_key`` (str, unique), ``content_hash`` (str), ``label`` (str or
        null), ``version_id`` (int), at least one row.
    label_column, slice_name, filter_spec, note : as :class:`GoldSetInfo` records them.

    Returns
    -------
    GoldSetInfo

    Raises
    ------
    InputError
        When the name is empty or taken, there are no rows, a key repeats or a value is missing.
    """
    name = name.strip()
    if not name:
        raise InputError("A gold set needs a name.")
    rows = check_gold_rows(rows)
    if rows.height == 0:
        raise InputError(f"The gold set '{name}' would have no rows: the filter matches none.")
    author = author or current_user()
    with project.session() as s:
        if s.scalar(select(GoldSet.id).where(GoldSet.name == name)) is not None:
            raise InputError(f"A gold set named '{name}' already exists; choose another name.")
        version = s.get(DatasetVersion, version_id)
        if version is None:
            raise InputError(f"No dataset version {version_id} to make a gold set from.")
        gold = GoldSet(
            name=name,
            dataset_id=version.dataset_id,
            version_id=version_id,
            slice_name=slice_name,
            filter=filter_spec,
            label_column=label_column,
            row_count=rows.height,
            revision=0,
            author=author,
            note=note,
        )
        s.add(gold)
        s.flush()
        insert_gold_rows(s, gold.id, rows)
        project.log(
            "gold_mark",
            {"gold_set": name, "version": version_id, "slice": slice_name, "rows": rows.height, "note": note},
            s,
            author,
        )
        gold_id = int(gold.id)
    return get_gold_set(project, gold_id)


def list_gold_sets(project: Project) -> list[GoldSetInfo]:
    """Every gold set, by name."""
    with project.session() as s:
        found = s.execute(
            select(GoldSet, Dataset.name, DatasetVersion.number)
            .join(Dataset, Dataset.id == GoldSet.dataset_id)
            .join(DatasetVersion, DatasetVersion.id == GoldSet.version_id)
            .order_by(GoldSet.name)
        ).all()
        return [_info(g, dataset, number) for g, dataset, number in found]


def get_gold_set(project: Project, ref: str | int) -> GoldSetInfo:
    """A gold set by name (str) or id (int).

    Raises
    ------
    InputError
        When there is no such set; the message lists the gold sets there are.
    """
    sets = list_gold_sets(project)
    for g in sets:
        if (isinstance(ref, int) and g.gold_id == ref) or g.name == ref:
            return g
    names = ", ".join(g.name for g in sets) or "none yet (make one with `strata gold PROJECT mark`)"
    raise InputError(f"No gold set '{ref}'; gold sets: {names}.")


def read_gold_rows(project: Project, gold_id: int) -> pl.DataFrame:
    """The frozen rows of a gold set, by row key.

    Returns
    -------
    polars.DataFrame
        :data:`GOLD_ROW_SCHEMA`: ``row_key`` (str), ``content_hash`` (str, 32 hex digits), ``label``
        (str, null where the row had none), ``version_id`` (int64, the version it was frozen from).
    """
    return read_query(
        project.engine,
        "SELECT row_key, content_hash, label, version_id FROM gold_row "
        f"WHERE gold_set_id = {int(gold_id)} ORDER BY row_key",
        GOLD_ROW_SCHEMA,
    )
