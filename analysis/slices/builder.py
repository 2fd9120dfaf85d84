"""The filter builder's SQL: one condition from a column, an operator and a typed value, and the
expression it is added to.

The slice panel offers the columns of the filter table (:func:`filter_columns`) and these operators;
what it shows in its expression box is built here, so the text a person reads is the text that runs,
quoted the way :mod:`analysis.slices.sandbox` and polars SQL read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import polars as pl
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from analysis.slices.sandbox import DIALECT
from storage.errors import InputError

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "contains", "matches regex")
JOINERS = ("AND", "OR", "AND NOT")
Kind = Literal["text", "number", "boolean"]
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TRUE, _FALSE = {"true", "yes", "1", ""}, {"false", "no", "0"}
_REGEX_META = re.compile(r"([\\.+*?()|\[\]{}^$])")


class BuildError(InputError):
    """The builder's choices make no condition (a value that does not fit the column, an unknown
    operator or joiner); the message says what to change."""


@dataclass(frozen=True)
class FilterColumn:
    """A column a condition can use, and what kind of value it holds."""

    name: str
    kind: Kind


def filter_columns(table: pl.DataFrame, text_column: str | None = None) -> list[FilterColumn]:
    """The columns the builder offers: the text column first, then the filter table's other columns
    (file columns, model outputs, ``cluster``, one ``tag_<name>`` per tag) but not the internal ``_…``.

    Parameters
    ----------
    table : polars.DataFrame
        A filter table (:func:`analysis.slices.filters.filter_table`).
    text_column : str, optional
        The version's text column, offered first.
    """
    names = [c for c in table.columns if not c.startswith("_") and c != text_column]
    if text_column is not None and text_column in table.columns:
        names.insert(0, text_column)
    return [FilterColumn(name, _kind(table.schema[name])) for name in names]


def _kind(dtype: pl.DataType) -> Kind:
    if dtype == pl.Boolean:
        return "boolean"
    return "number" if dtype.is_numeric() else "text"


def quote_identifier(name: str) -> str:
    """A column name as an SQL identifier: in double quotes, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_text(value: str) -> str:
    """A text value as an SQL string literal: in single quotes, inner quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def condition(column: str, operator: str, value: str, kind: Kind) -> str:
    """One SQL condition from the builder's choices.

    Parameters
    ----------
    column : str
        The column's name (quoted here, so any name works).
    operator : str
        One of :data:`OPERATORS`. ``contains`` is a case-insensitive substring test (``ILIKE``, or a
        regular expression with the value escaped when it holds ``%`` or ``_``, which ``ILIKE`` would
        read as wildcards); ``matches regex`` takes the value as a regular expression.
    value : str
        As typed. Text is quoted; a number must be one; a boolean is true / false (yes / no, 1 / 0; an
        empty value means true).
    kind : {"text", "number", "boolean"}
        What the column holds (:class:`FilterColumn`).

    Returns
    -------
    str
        E.g. ``"label" = 'card_arrival'``, ``"confidence" < 0.5``, ``"tag_outlier" = true``.

    Raises
    ------
    BuildError
        For an unknown operator, a value that is not a number on a number column or not true / false
        on a boolean one, ordering or text operators on a boolean column, or text operators on a
        number column.
    """
    quoted = quote_identifier(column)
    text = value.strip()
    if operator not in OPERATORS:
        raise BuildError(f"Unknown operator {operator!r}; use one of {', '.join(OPERATORS)}.")
    if operator in ("contains", "matches regex"):
        if kind != "text":
            raise BuildError(f"'{operator}' works on text columns; {column} holds {kind}s.")
        if operator == "matches regex":
            return f"regexp_like({quoted}, {quote_text(value)})"
        if "%" in value or "_" in value:
            escaped = _REGEX_META.sub(r"\\\1", value)
            return f"regexp_like({quoted}, {quote_text('(?i)' + escaped)})"
        return f"{quoted} ILIKE {quote_text('%' + value + '%')}"
    if kind == "boolean":
        if operator not in ("=", "!="):
            raise BuildError(f"{column} is true or false: use = or != with it.")
        if text.lower() not in _TRUE | _FALSE:
            raise BuildError(f"{column} is true or false, not {value!r}.")
        return f"{quoted} {operator} {'true' if text.lower() in _TRUE else 'false'}"
    if kind == "number":
        if not _NUMBER.fullmatch(text):
            raise BuildError(f"{column} holds numbers; {value!r} is not one (write e.g. 0.5).")
        return f"{quoted} {operator} {text}"
    return f"{quoted} {operator} {quote_text(value)}"


def combine(expression: str, part: str, joiner: str = "AND") -> str:
    """``expression`` with the condition ``part`` added by ``joiner`` (one of :data:`JOINERS`).

    The result reads left to right as it was built: an expression whose outermost operator is OR is
    put in parentheses before AND is added (``a OR b`` AND ``c`` gives ``(a OR b) AND c``, not SQL's
    ``a OR (b AND c)``).

    Raises
    ------
    BuildError
        For a joiner that is not one of :data:`JOINERS`.
    """
    if joiner not in JOINERS:
        raise BuildError(f"Unknown joiner {joiner!r}; use one of {', '.join(JOINERS)}.")
    current = expression.strip()
    if joiner == "AND NOT":
        part, joiner = f"NOT ({part})", "AND"
    if not current:
        return part
    if joiner == "AND" and _outermost_is_or(current):
        current = f"({current})"
    return f"{current} {joiner} {part}"


def _outermost_is_or(expression: str) -> bool:
    try:
        tree = sqlglot.parse_one(expression, read=DIALECT, into=exp.Condition)
    except (SqlglotError, RecursionError):
        return False  # text that does not parse is left as typed; running it will say what is wrong
    return isinstance(tree, exp.Or)
