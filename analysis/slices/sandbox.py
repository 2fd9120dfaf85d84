"""The filter sandbox: a slice or export filter may reach the version's columns and nothing else.

Filters are SQL ``WHERE`` expressions run by polars SQL, whose dialect also has table functions
(``read_csv('/etc/…')``), subqueries and several statements. A filter is therefore parsed with sqlglot
(PostgreSQL dialect, close to polars') into a syntax tree, every node is checked against an allow-list
(column references, literals, operators and a listed set of scalar functions), and the SQL that polars
runs is generated from that checked tree, never the user's text, so the two parsers cannot disagree
about what runs.
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokenizer_core import TokenType
from sqlglot.tokens import Tokenizer

from storage.errors import InputError

MAX_FILTER_CHARS = 10_000
DIALECT = "postgres"

_OPERATORS: tuple[type[exp.Expression], ...] = (
    exp.And,
    exp.Or,
    exp.Not,
    exp.Paren,
    exp.Neg,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.RegexpLike,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.DPipe,
    exp.Case,
    exp.If,
    exp.Cast,
    exp.DataType,
)
_VALUES: tuple[type[exp.Expression], ...] = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Var,  # a bare keyword argument, e.g. ``hour`` in EXTRACT(hour FROM t)
)
# Scalar functions a filter may call: text, rounding, null handling and date parts.
ALLOWED_FUNCTIONS: tuple[type[exp.Expression], ...] = (
    exp.Extract,
    exp.Lower,
    exp.Upper,
    exp.Length,
    exp.Abs,
    exp.Round,
    exp.Floor,
    exp.Ceil,
    exp.Coalesce,
    exp.Trim,
    exp.Substring,
)
_ALLOWED = (*_OPERATORS, *_VALUES, *ALLOWED_FUNCTIONS)


def _refuse(where: str, what: str) -> InputError:
    shown = where if len(where) <= 120 else where[:117] + "…"
    return InputError(
        f"Not allowed in a filter: {what}. A filter is one condition on the version's columns "
        f"(columns, values, operators and the functions {', '.join(_function_names())}): {shown!r}"
    )


def _function_names() -> list[str]:
    return [f.__name__.upper() for f in ALLOWED_FUNCTIONS]


def _describe(node: Any) -> str:
    if isinstance(node, exp.Anonymous):
        return f"the function {node.name}()"
    if isinstance(node, exp.Func):
        return f"the function {node.sql_name()}()"
    if isinstance(node, exp.Select | exp.Subquery | exp.Query | exp.Table | exp.From):
        return "a query or table (SELECT, FROM, subqueries)"
    return f"{type(node).__name__} ({node.sql(dialect=DIALECT)[:60]})"


def sanitize_where(where: str) -> str:
    """Check a filter and return the SQL to run for it.

    Parameters
    ----------
    where : str
        A ``WHERE`` expression, e.g. ``label = 'card_arrival' AND confidence < 0.5``.

    Returns
    -------
    str
        The same condition, generated from its checked syntax tree (polars-compatible SQL).

    Raises
    ------
    InputError
        "Not allowed in a filter: …" for anything but column references, literals, operators and
        :data:`ALLOWED_FUNCTIONS` (table functions, subqueries, several statements, ``ATTACH``, comments,
        columns qualified by a table), for input longer than :data:`MAX_FILTER_CHARS`, and a parse
        message for text that is not an SQL condition.
    """
    if len(where) > MAX_FILTER_CHARS:
        raise _refuse(where, f"more than {MAX_FILTER_CHARS:,} characters")
    try:
        tokens = Tokenizer(dialect=DIALECT).tokenize(where)
    except (SqlglotError, RecursionError, ValueError):
        raise InputError(
            f"The filter {where!r} cannot be used: it is not valid SQL (an unclosed quote?)."
        ) from None
    if any(t.comments for t in tokens):
        raise _refuse(where, "comments (-- or /* */)")
    if any(t.token_type == TokenType.SEMICOLON for t in tokens):
        raise _refuse(where, "';' (more than one statement)")
    try:
        tree = sqlglot.parse_one(where, read=DIALECT, into=exp.Condition)
    except RecursionError:
        raise _refuse(where, "nesting this deep") from None
    except SqlglotError:
        raise InputError(
            f"The filter {where!r} cannot be used: it is not one SQL condition. Write e.g. "
            "label = 'card_arrival' AND confidence < 0.5."
        ) from None
    for node in tree.walk():
        if not isinstance(node, _ALLOWED) or isinstance(node, exp.Anonymous):
            raise _refuse(where, _describe(node))
        if isinstance(node, exp.Column) and (node.table or node.args.get("db")):
            raise _refuse(where, f"a column of another table ({node.sql(dialect=DIALECT)})")
        if isinstance(node, exp.In) and node.args.get("query") is not None:
            raise _refuse(where, "a query or table (SELECT, FROM, subqueries)")
    return tree.sql(dialect=DIALECT)
