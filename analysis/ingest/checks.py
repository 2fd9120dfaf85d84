"""Checks of a data file's table before anything is imported: no column named like the row table's
own columns, every mapped column present, ids unique and non-empty, time values parsed as dates; and a
separate file of model outputs joined to the data on ids, every row with exactly one output.

Each raises :class:`storage.errors.InputError` naming the file (``source``) and what to change;
:mod:`analysis.ingest.importer` and :mod:`analysis.ingest.runs` run them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.ingest.roles import RoleMapping
from storage.errors import InputError
from storage.rows import SYSTEM_COLUMNS


def check_system_columns(df: pl.DataFrame, source: str) -> None:
    """Refuse data columns that would collide with the row table's own columns.

    Raises
    ------
    InputError
        When the file has a column named ``_row_id``, ``_row_key`` or ``_content_hash``, or ``*`` or
        ``^…$`` (polars patterns).
    """
    clash = [c for c in df.columns if c in SYSTEM_COLUMNS]
    if clash:
        raise InputError(
            f"{source}: column(s) {clash} have names Strata keeps for its own row columns "
            f"({', '.join(SYSTEM_COLUMNS)}). Rename them in the file (e.g. to 'source{clash[0]}') and "
            "import again."
        )
    # polars reads the name "*" as every column and "^…$" as a regular expression over the names, so
    # such a column could not be selected by its name anywhere in Strata
    patterns = [c for c in df.columns if c == "*" or (c.startswith("^") and c.endswith("$"))]
    if patterns:
        raise InputError(
            f"{source}: column(s) {patterns} have names that Strata's data frames read as patterns "
            '("*" means every column, ^…$ a regular expression). Rename them in the file and import again.'
        )


def require_columns(df: pl.DataFrame, names: list[str], source: str) -> None:
    """Refuse a table that lacks any of the columns ``names``.

    Raises
    ------
    InputError
        Naming the missing columns and the ones the file has.
    """
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise InputError(f"{source}: column(s) {missing} not found. The file has: {', '.join(df.columns)}.")


def check_ids(df: pl.DataFrame, id_col: str, source: str) -> None:
    """Refuse an id column with empty or duplicated values.

    Raises
    ------
    InputError
        Naming up to five offending rows (1-based), or up to five duplicated ids and their rows.
    """
    ids = df[id_col]
    if ids.null_count():
        rows = (np.flatnonzero(ids.is_null().to_numpy())[:5] + 1).tolist()
        raise InputError(
            f"{source}: id column '{id_col}' is empty in {ids.null_count()} row(s), e.g. {rows}."
        )
    dup = df.with_row_index("_r").filter(pl.col(id_col).is_duplicated())
    if dup.height:
        shown = dup.group_by(id_col, maintain_order=True).agg(pl.col("_r") + 1).head(5)
        detail = "; ".join(f"{k!r} in rows {v}" for k, v in shown.iter_rows())
        raise InputError(
            f"{source}: id column '{id_col}' has {dup[id_col].n_unique()} duplicated value(s): {detail}. "
            "Ids must be unique; choose another id column or none."
        )


def join_outputs(df: pl.DataFrame, outputs: pl.DataFrame, id_col: str, source: str) -> pl.DataFrame:
    """Join a separate file of model outputs to the data on ``id_col``, every data row to one output.

    Parameters
    ----------
    df : polars.DataFrame
        The data, ``id_col`` present and unique.
    outputs : polars.DataFrame
        The model's outputs; ``id_col`` is cast to the data's id type.
    id_col : str
        The id column both tables share.
    source : str
        The outputs file, for messages.

    Returns
    -------
    polars.DataFrame
        ``df`` in its own row order with the outputs' columns (clashing names suffixed ``_output``).

    Raises
    ------
    InputError
        When ``outputs`` lacks ``id_col``, its ids are empty or repeat, it has ids not in the data,
        or a data row has no output.
    """
    require_columns(outputs, [id_col], source)
    check_ids(outputs, id_col, source)
    outputs = outputs.with_columns(pl.col(id_col).cast(df.schema[id_col]))
    extra = outputs.join(df.select(id_col), on=id_col, how="anti")
    if extra.height:
        raise InputError(
            f"{source}: {extra.height} output row(s) have ids not in the data, "
            f"e.g. {extra[id_col][:3].to_list()}."
        )
    joined = df.join(outputs, on=id_col, how="left", suffix="_output", maintain_order="left")
    missing = df.join(outputs.select(id_col), on=id_col, how="anti")
    if missing.height:
        raise InputError(
            f"{source}: {missing.height} data row(s) have no model output, "
            f"e.g. ids {missing[id_col][:3].to_list()}."
        )
    return joined


def parse_time(df: pl.DataFrame, roles: RoleMapping, source: str) -> pl.DataFrame:
    """``df`` with its text time column (``roles.time``) parsed to datetimes by ``roles.time_format``
    (inferred when None); unchanged when no time column is mapped or it is not text.

    Raises
    ------
    InputError
        When no single format fits the values, or some non-empty values do not parse.
    """
    col = roles.time
    if col is None or df.schema[col] != pl.String:
        return df
    try:
        parsed = df[col].str.to_datetime(format=roles.time_format, strict=False)
    except pl.exceptions.PolarsError:  # no format could be inferred from the values
        example = df[col].drop_nulls()[0] if df[col].drop_nulls().len() else None
        hint = "check --time-format" if roles.time_format else "give their format with --time-format"
        raise InputError(
            f"{source}: time column '{col}' has values that are not dates in one format, e.g. {example!r}; "
            f"{hint} (e.g. '%d-%m-%Y %H.%M'), or map another column with --time."
        ) from None
    bad = parsed.is_null() & df[col].is_not_null()
    if bad.any():
        example = df[col].filter(bad)[0]
        raise InputError(
            f"{source}: time column '{col}' has {int(bad.sum())} value(s) that are not dates, "
            f"e.g. {example!r}; give their format with --time-format (e.g. '%d-%m-%Y %H.%M')."
        )
    return df.with_columns(parsed.alias(col))
