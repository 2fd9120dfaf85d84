"""Collapse one-hot label columns into one label column per group (``strata import --one-hot NAME``).

Annotation tools often export a categorical answer as one 0/1 column per value. ConvAbuse's
``is_abuse`` question, for example, is five columns ``is_abuse.1`` (not abusive), ``is_abuse.0``
(ambiguous), ``is_abuse.-1`` … ``is_abuse.-3`` (mildly to very strongly abusive), and in its split files
one such group per annotator (``Annotator1_is_abuse.1`` …). Collapsing a group gives one column holding
the value whose column is 1, so that each annotator has one label on the ordinal scale 1 > 0 > -1 > -2
> -3, and the agreement measures see one categorical (or ordinal) answer per annotator.

Rules (what a user of such files expects, stated so that nothing is silent):

- A group is every column named ``<stem>NAME.<value>``, where the stem is empty or ends in ``_``, ``.``,
  ``-``, ``:`` or a space. The collapsed column is named after the stem without its separator
  (``Annotator1``), or ``NAME`` when the stem is empty; it takes the place of the group's first column,
  and the group's columns are dropped.
- The scale's order is the order of the group's columns in the file (ConvAbuse: 1, 0, -1, -2, -3).
- A cell is 0 or 1 (also ``0.0``/``1.0``, ``true``/``false``); an empty group means the annotator did
  not label the row.
- A cell may hold several comma-separated values (``"1, 0"``): repeat annotations of the same item by
  the same annotator, the k-th value of every column of the group being the k-th annotation. The
  collapsed column holds the first annotation; the later ones come back as repeats, in order.
- An annotation with no column at 1 is no label (counted in a note); one with several columns at 1,
  or a group half empty, is an error: the columns are then not one-hot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from storage.errors import InputError

SEPARATORS = "_.-: "
_TRUE = {"1", "1.0", "true"}
_FALSE = {"0", "0.0", "false"}


@dataclass(frozen=True)
class OneHotGroups:
    """The result of :func:`collapse_one_hot`.

    Attributes
    ----------
    frame : polars.DataFrame
        The input with each group replaced by one String column (the first annotation's value).
    columns : tuple of str
        The collapsed columns, in file order.
    scale : tuple of str
        The values in the order of the group's columns in the file (the ordinal scale's order).
    repeats : polars.DataFrame
        Later annotations of a cell holding several: ``row`` (int64, position in ``frame``),
        ``column`` (str, a collapsed column), ``label`` (str), ``seq`` (int64, 1 for the second
        annotation, …); empty when no cell holds more than one.
    unlabelled : int
        Annotations with no column at 1, left out.
    """

    frame: pl.DataFrame
    columns: tuple[str, ...]
    scale: tuple[str, ...]
    repeats: pl.DataFrame
    unlabelled: int


def one_hot_groups(columns: list[str], name: str) -> dict[str, list[tuple[str, str]]]:
    """Find the one-hot groups of ``name`` among ``columns``.

    Returns
    -------
    dict of str to list of (str, str)
        Collapsed column name → its (column, value) pairs, both in file order.
    """
    pattern = re.compile(r"^(?P<stem>.*?)" + re.escape(name) + r"\.(?P<value>[^.]+)$")
    groups: dict[str, list[tuple[str, str]]] = {}
    for column in columns:
        match = pattern.match(column)
        if match is None:
            continue
        stem = match.group("stem")
        if stem and stem[-1] not in SEPARATORS:
            continue
        target = stem.rstrip(SEPARATORS) or name
        groups.setdefault(target, []).append((column, match.group("value")))
    return groups


def _cells(series: pl.Series, k: int) -> pl.Series:
    """The k-th comma-separated value of each cell, lower-cased (null where the cell has fewer)."""
    parts = series.cast(pl.String).str.strip_chars().str.split(",")
    return parts.list.get(k, null_on_oob=True).str.strip_chars().str.to_lowercase().replace("", None)


def _bits(series: pl.Series, k: int, column: str, source: str) -> NDArray[np.int8]:
    """int8 (n,): 1, 0, or -1 where the cell holds no k-th value."""
    cells = _cells(series, k)
    known = cells.is_in(list(_TRUE | _FALSE)) | cells.is_null()
    if not known.all():
        bad = cells.filter(~known)[0]
        row = int(np.flatnonzero(~known.to_numpy())[0]) + 1
        raise InputError(
            f"{source}: column '{column}' is not one-hot: row {row} holds {series[row - 1]!r} ({bad!r} is "
            "neither 0 nor 1)."
        )
    return np.where(cells.is_null().to_numpy(), -1, cells.is_in(list(_TRUE)).to_numpy()).astype(np.int8)


def collapse_one_hot(df: pl.DataFrame, name: str, source: str) -> OneHotGroups:
    """Collapse every one-hot group of ``name`` in ``df`` (see the module's rules).

    Parameters
    ----------
    df : polars.DataFrame
        The file's rows, n of them.
    name : str
        The question's name, e.g. ``is_abuse`` for columns ``is_abuse.1`` or ``Annotator1_is_abuse.1``.
    source : str
        The file, for messages.

    Returns
    -------
    OneHotGroups

    Raises
    ------
    InputError
        When no column belongs to a group of ``name``, a collapsed name is already a column, a cell is
        not 0/1, a group is partly empty in a row, or an annotation has several columns at 1.
    """
    groups = one_hot_groups(df.columns, name)
    if not groups:
        raise InputError(
            f"{source}: no one-hot columns named '{name}.<value>' or '<annotator>_{name}.<value>'; "
            f"columns are: {', '.join(df.columns[:12])}{' …' if df.width > 12 else ''}."
        )
    members = {c for pairs in groups.values() for c, _ in pairs}
    clash = [g for g in groups if g in df.columns and g not in members]
    if clash:
        raise InputError(
            f"{source}: collapsing the one-hot columns of '{name}' makes column(s) {clash}, which the file "
            "already has; rename them in the file first."
        )
    scale: list[str] = []
    for pairs in groups.values():
        scale += [v for _, v in pairs if v not in scale]
    collapsed: dict[str, pl.Series] = {}
    repeats: list[pl.DataFrame] = []
    unlabelled = 0
    for target, pairs in groups.items():
        values = np.array([v for _, v in pairs], dtype=object)
        depth = max(
            int(df[c].cast(pl.String).str.split(",").list.len().max() or 0)  # type: ignore[arg-type]
            for c, _ in pairs
        )
        for k in range(max(depth, 1)):
            bits = np.stack([_bits(df[c], k, c, source) for c, _ in pairs], axis=1)
            present = (bits >= 0).sum(axis=1)
            partial = (present > 0) & (present < len(pairs))
            if partial.any():
                row = int(np.flatnonzero(partial)[0])
                cells = {c: df[c][row] for c, _ in pairs}
                raise InputError(
                    f"{source}: row {row + 1}: the one-hot columns of '{target}' are partly empty "
                    f"({cells}); each annotation needs every column of its group."
                )
            ones = (bits == 1).sum(axis=1)
            several = ones > 1
            if several.any():
                row = int(np.flatnonzero(several)[0])
                cells = {c: df[c][row] for c, _ in pairs}
                raise InputError(
                    f"{source}: row {row + 1}: '{target}' has several of its {name} columns at 1 ({cells}); "
                    "the columns are multi-label, not one-hot, and cannot become one label."
                )
            unlabelled += int(((present > 0) & (ones == 0)).sum())
            chosen = np.where(ones == 1, values[np.argmax(bits == 1, axis=1)], None)
            series = pl.Series(target, list(chosen), dtype=pl.String)
            if k == 0:
                collapsed[target] = series
            elif series.null_count() < len(series):
                rows = np.flatnonzero(series.is_not_null().to_numpy())
                repeats.append(
                    pl.DataFrame(
                        {
                            "row": rows.astype(np.int64),
                            "column": [target] * len(rows),
                            "label": series.gather(rows),
                            "seq": np.full(len(rows), k, dtype=np.int64),
                        }
                    )
                )
    out = []
    for column in df.columns:
        found = next((g for g, pairs in groups.items() if pairs[0][0] == column), None)
        if found is not None:
            out.append(collapsed[found])
        elif column not in members:
            out.append(df[column])
    empty = pl.DataFrame(schema={"row": pl.Int64, "column": pl.String, "label": pl.String, "seq": pl.Int64})
    return OneHotGroups(
        frame=pl.DataFrame(out),
        columns=tuple(groups),
        scale=tuple(scale),
        repeats=pl.concat(repeats) if repeats else empty,
        unlabelled=unlabelled,
    )
