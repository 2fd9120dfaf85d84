"""Slice filters: a SQL ``WHERE`` expression (polars SQL) and / or a list of row keys (a lasso).

The filter runs on the version's columns plus ``predicted``, ``confidence``, ``margin``, ``loss``,
``correct`` and ``cluster`` when present, and one boolean column per tag, ``tag_<name>``; it is checked
by :mod:`analysis.slices.sandbox` first, so it can reach nothing else. A slice is saved only once its
filter runs on the version it was written for.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.slices.sandbox import sanitize_where
from analysis.view_frame import ViewFrame, load_view_frame
from storage.errors import InputError
from storage.project import Project
from storage.slices import read_slices, remove_slice, write_slice


def tag_column(tag: str) -> str:
    """The boolean column a filter uses for ``tag`` (non-alphanumerics become ``_``)."""
    return "tag_" + re.sub(r"\W", "_", tag)


def filter_table(frame: ViewFrame) -> pl.DataFrame:
    """The table filters run on: the frame's rows plus one ``tag_<name>`` column per tag."""
    tags = [pl.Series(tag_column(t), frame.tag_mask(t)) for t in frame.tag_names()]
    return frame.rows.with_columns(tags) if tags else frame.rows


def version_table(project: Project, version_id: int) -> pl.DataFrame:
    """The filter table of a stored version (its view frame through :func:`filter_table`)."""
    return filter_table(load_view_frame(project, version_id))


def evaluate(table: pl.DataFrame, filter_spec: dict[str, Any]) -> NDArray[np.bool_]:
    """Rows matching a filter ``{"where": SQL or None, "row_keys": [...] or None}`` (both must hold).

    Raises
    ------
    InputError
        When the expression is not valid SQL, is not allowed in a filter (see
        :func:`analysis.slices.sandbox.sanitize_where`) or names an unknown column; the message lists
        the columns.
    """
    mask = np.ones(table.height, dtype=bool)
    where = (filter_spec.get("where") or "").strip()
    columns = ", ".join(c for c in table.columns if not c.startswith("_"))
    if where:
        try:
            checked = sanitize_where(where)
        except InputError as err:
            raise InputError(f"{err} Columns: {columns}.") from None
        try:
            hits = (
                table.with_row_index("__row")
                .sql(f"SELECT __row FROM self WHERE {checked}")["__row"]
                .to_numpy()
            )
        except pl.exceptions.PolarsError as err:
            # polars' first line names the problem; its own column list shows internal columns
            # (``__row``) and repeats the one given below.
            first = str(err).strip().splitlines()[0].split("; valid columns:")[0]
            raise InputError(f"The filter {where!r} cannot be used: {first}. Columns: {columns}.") from None
        mask = np.zeros(table.height, dtype=bool)
        mask[hits] = True
    keys = filter_spec.get("row_keys")
    if keys is not None:
        mask &= table["_row_key"].is_in(list(keys)).to_numpy()
    return mask


def describe(filter_spec: dict[str, Any]) -> str:
    """The filter as one line of text (SQL, with the lasso as a row-key count)."""
    parts = []
    if filter_spec.get("where"):
        parts.append(str(filter_spec["where"]))
    if filter_spec.get("row_keys") is not None:
        parts.append(f"_row_key IN ({len(filter_spec['row_keys'])} selected rows)")
    return " AND ".join(f"({p})" if len(parts) > 1 else p for p in parts) or "all rows"


def save_slice(project: Project, name: str, filter_spec: dict[str, Any], table: pl.DataFrame | None) -> None:
    """Store (or replace) a named slice, after checking that its filter runs on ``table``.

    Parameters
    ----------
    table : polars.DataFrame or None
        The filter table (:func:`filter_table`) of the version the slice was written for; None only
        to put back exactly a slice that was deleted (an undo), which is not checked again.

    Raises
    ------
    InputError
        When the name is empty or the filter does not run on ``table`` (nothing is saved then).
    """
    name = name.strip()
    if not name:
        raise InputError("A slice needs a name.")
    if not (filter_spec.get("where") or "").strip() and filter_spec.get("row_keys") is None:
        raise InputError("A slice needs a filter (--where) or selected rows.")
    if table is not None:
        evaluate(table, filter_spec)
    write_slice(project, name, filter_spec, describe(filter_spec))


def delete_slice(project: Project, name: str) -> dict[str, Any]:
    """Delete a saved slice and return its filter (so it can be restored, e.g. by an undo).

    Raises
    ------
    InputError
        When no slice has that name; the message lists the saved ones.
    """
    return remove_slice(project, name, describe)


def list_slices(project: Project) -> dict[str, dict[str, Any]]:
    """Saved slices: name → filter."""
    return read_slices(project)
