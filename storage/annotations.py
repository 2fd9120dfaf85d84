"""Annotations: the labels several annotators gave the rows of a version, one row per label given.

An annotator who labelled a row twice has two annotations; their order (the ``annotation`` table's id)
is the order the imported file gave them, so "the first annotation" is well defined. Reads return
polars frames built in one go from the cursor (:func:`storage.rows.read_query`), never ORM rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.errors import InputError
from storage.project import Project
from storage.rows import execute_many, read_query
from storage.rule_tags import replace_rule_tags
from storage.schema import Annotation, DatasetVersion

# The columns of an annotation frame, in order, with their dtypes.
ANNOTATION_SCHEMA: dict[str, Any] = {
    "row_id": pl.Int64,
    "annotator": pl.String,
    "label": pl.String,
    "labelled_at": pl.Datetime("us"),
}


def _checked(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in ("row_id", "annotator", "label") if c not in frame.columns]
    if missing:
        raise InputError(f"Annotations need the columns row_id, annotator and label; missing {missing}.")
    if "labelled_at" not in frame.columns:
        frame = frame.with_columns(labelled_at=pl.lit(None, dtype=pl.Datetime("us")))
    frame = frame.select(
        pl.col("row_id").cast(pl.Int64),
        pl.col("annotator").cast(pl.String),
        pl.col("label").cast(pl.String),
        pl.col("labelled_at").cast(pl.Datetime("us")),
    )
    empty = frame.select(pl.col("row_id", "annotator", "label").null_count()).row(0)
    if any(empty):
        raise InputError(
            f"Annotations must name a row, an annotator and a label; {sum(empty)} empty value(s) found."
        )
    return frame


def insert_annotations(session: Session, version_id: int, frame: pl.DataFrame) -> int:
    """Write annotations of a version inside the caller's transaction, in the frame's order.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session in an open transaction; nothing is committed here.
    version_id : int
        The version whose rows are annotated.
    frame : polars.DataFrame
        ``row_id`` (int, the version's ``_row_id``), ``annotator`` (str), ``label`` (str) and
        optionally ``labelled_at`` (datetime, null where unknown); one row per label given.

    Returns
    -------
    int
        The number of annotations written.

    Raises
    ------
    InputError
        When a column is missing or a row id, annotator or label is empty.
    """
    frame = _checked(frame)
    times = frame["labelled_at"].dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    execute_many(
        session.connection(),
        "INSERT INTO annotation (version_id, row_id, annotator, label, labelled_at) VALUES (?, ?, ?, ?, ?)",
        zip(
            [int(version_id)] * frame.height,
            frame["row_id"].to_list(),
            frame["annotator"].to_list(),
            frame["label"].to_list(),
            times.to_list(),
            strict=True,
        ),
    )
    return frame.height


def write_annotations(
    project: Project, version_id: int, frame: pl.DataFrame, *, replace: bool = False
) -> int:
    """Add annotations to an existing version in one transaction (with an audit-log entry).

    Parameters
    ----------
    replace : bool, default False
        Delete the version's earlier annotations first.

    Returns
    -------
    int
        The number written.

    Raises
    ------
    InputError
        As :func:`insert_annotations`, or when a row id is not a row of the version.
    """
    with project.session() as s:
        rows = s.scalar(select(DatasetVersion.row_count).where(DatasetVersion.id == version_id))
        if rows is None:
            raise InputError(f"No dataset version {version_id} to annotate.")
        outside = frame.filter((pl.col("row_id") < 0) | (pl.col("row_id") >= rows))
        if outside.height:
            raise InputError(
                f"{outside.height} annotation(s) name rows the version does not have (it has rows 0 to "
                f"{rows - 1}), e.g. {outside['row_id'][:3].to_list()}."
            )
        if replace:
            s.execute(delete(Annotation).where(Annotation.version_id == version_id))
        count = insert_annotations(s, version_id, frame)
        project.log("annotations", {"version": version_id, "annotations": count, "replace": replace}, s)
        return count


def read_annotations(project: Project, version_id: int) -> pl.DataFrame:
    """Every annotation of a version, in the order they were given (file order).

    Returns
    -------
    polars.DataFrame
        Columns :data:`ANNOTATION_SCHEMA`: ``row_id`` (int64), ``annotator`` (str), ``label`` (str),
        ``labelled_at`` (datetime[us], null where unknown); no rows when the version has none.
    """
    frame = read_query(
        project.engine,
        "SELECT row_id, annotator, label, labelled_at FROM annotation "
        f"WHERE version_id = {int(version_id)} ORDER BY id",
        {"row_id": pl.Int64, "annotator": pl.String, "label": pl.String, "labelled_at": pl.String},
    )
    return frame.with_columns(pl.col("labelled_at").str.to_datetime(time_unit="us", strict=False))


def count_annotations(project: Project, version_id: int) -> int:
    """How many annotations a version has (0: none)."""
    with project.session() as s:
        found = s.scalar(
            select(func.count()).select_from(Annotation).where(Annotation.version_id == version_id)
        )
        return int(found or 0)


def tag_for_review(
    project: Project,
    version_id: int,
    tag: str,
    rows: Sequence[int] | NDArray[np.int64],
    scores: Sequence[float] | NDArray[np.float64],
    suggested: Sequence[str | None],
    *,
    description: str = "",
    colour: str = "#8c564b",
) -> int:
    """Put rows in the review queue of ``tag``: rule tags with a score and the suggested label.

    The version's earlier rule tags of ``tag`` are replaced (a new list replaces the old one); human
    and automatic tags are left alone. The tag is created (kind ``curation``) when missing. One
    transaction with an audit-log entry.

    Parameters
    ----------
    rows : sequence of int
        ``_row_id`` values, length r.
    scores : sequence of float
        Length r: the queue shows higher scores first.
    suggested : sequence of str or None
        Length r: the label the review suggests (e.g. the annotators' consensus).

    Returns
    -------
    int
        The number of rows tagged.

    Raises
    ------
    InputError
        When the three sequences differ in length.
    """
    if not len(rows) == len(scores) == len(suggested):
        raise InputError("Rows, scores and suggested labels must be as many.")
    details = [{"suggested": sug} if sug is not None else {} for sug in suggested]
    return replace_rule_tags(
        project, version_id, tag, "review", rows, scores, details,
        colour=colour, description=description, kind="curation", note=description,
    )  # fmt: skip


def copy_annotations(session: Session, from_version: int, to_version: int) -> None:
    """Copy a version's annotations onto another version with the same rows (a relabelled version),
    in their order, inside the caller's transaction."""
    session.connection().exec_driver_sql(
        "INSERT INTO annotation (version_id, row_id, annotator, label, labelled_at) "
        "SELECT ?, row_id, annotator, label, labelled_at FROM annotation WHERE version_id = ? ORDER BY id",
        (int(to_version), int(from_version)),
    )
