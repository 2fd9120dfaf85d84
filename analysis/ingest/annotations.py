"""Several annotators' labels on import, in either of the two shapes files come in.

- **wide** (``--annotator-cols A,B,C``): one row per item, one column per annotator holding that
  annotator's label, empty where the annotator did not label the item. The annotator is the column's
  name. Patterns with ``*``, ``?`` or ``[…]`` name every matching column (``'Annotator?'``).
- **long** (``--annotator COLUMN``): one row per item × annotator; ``COLUMN`` names the annotator and
  the label role (``--label``) holds that annotator's label. Rows are grouped into items by the id
  role; ``--id a,b,c`` names several columns that together identify an item (ConvAbuse's full file has
  no item id: an item is a conversation turn, ``conv_id,prev_agent,prev_user,agent,user``), and with
  no id the rows with the same text are one item. The version gets one row per item: the columns
  that are the same on every row of each item (the text, the conversation), and as its label the
  annotators' plurality vote (ties go to the label given most often in the whole file); columns that
  differ between an item's rows (the annotation's own number, other answers) stay with the file.

Either shape may first collapse one-hot columns into one label (``--one-hot NAME``,
:mod:`analysis.ingest.one_hot`), and an annotator who labelled an item twice keeps both labels, in
file order (the agreement measures use the first, :mod:`analysis.labeling.agreement`).
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from analysis.ingest.one_hot import OneHotGroups, collapse_one_hot
from analysis.ingest.roles import RoleMapping
from storage.errors import InputError

ITEM_ID = "item_id"  # the id column made from several columns (``--id a,b,c`` in the long shape)
_EMPTY = pl.DataFrame(
    schema={"row_id": pl.Int64, "annotator": pl.String, "label": pl.String, "labelled_at": pl.Datetime("us")}
)


@dataclass(frozen=True)
class AnnotationSpec:
    """How a file holds several annotators' labels.

    Attributes
    ----------
    columns : tuple of str
        Wide shape: one column per annotator (names or glob patterns).
    annotator : str or None
        Long shape: the column naming the annotator of each row.
    one_hot : str or None
        Collapse the one-hot columns ``<stem>NAME.<value>`` first (:func:`collapse_one_hot`).
    labelled_at : str or None
        Long shape: the column holding when the label was given.
    """

    columns: tuple[str, ...] = ()
    annotator: str | None = None
    one_hot: str | None = None
    labelled_at: str | None = None

    @property
    def shape(self) -> str | None:
        """``wide``, ``long`` or None (no annotators: at most a one-hot collapse)."""
        return "wide" if self.columns else "long" if self.annotator else None


@dataclass(frozen=True)
class PreparedAnnotations:
    """A file made ready for the importer.

    Attributes
    ----------
    frame : polars.DataFrame
        The rows to import (long shape: one per item).
    roles : RoleMapping
        The roles, with the id made from several columns and the annotator columns filled in.
    annotations : polars.DataFrame
        ``row_id`` (int64: the row's position in ``frame``), ``annotator`` (str), ``label`` (str),
        ``labelled_at`` (datetime, null where unknown), in file order.
    record : dict
        What the version records about its annotations (JSON-ready): shape, annotators, scale.
    notes : tuple of str
        What the import did that a user should hear about (repeats, columns left out).
    """

    frame: pl.DataFrame
    roles: RoleMapping
    annotations: pl.DataFrame
    record: dict[str, Any]
    notes: tuple[str, ...]


def _label_text(series: pl.Series) -> pl.Series:
    """Labels as text: whole floats without their ``.0``, blanks as missing."""
    if series.dtype.is_float():
        whole = series.drop_nulls()
        if whole.len() and bool((whole == whole.round(0)).all()):
            series = series.cast(pl.Int64)
    text = series.cast(pl.String).str.strip_chars()
    return text.replace("", None)


def _expand(patterns: tuple[str, ...], columns: list[str], source: str) -> list[str]:
    out: list[str] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            found = [c for c in columns if fnmatch.fnmatchcase(c, pattern)]
            if not found:
                raise InputError(f"{source}: --annotator-cols '{pattern}' matches no column.")
        elif pattern in columns:
            found = [pattern]
        else:
            close = difflib.get_close_matches(pattern, columns, n=5)
            hint = f" Columns like it: {', '.join(close)}." if close else ""
            raise InputError(f"{source}: annotator column '{pattern}' not found.{hint}")
        out += [c for c in found if c not in out]
    return out


def _one_hot(df: pl.DataFrame, spec: AnnotationSpec, source: str) -> tuple[pl.DataFrame, OneHotGroups | None]:
    if spec.one_hot is None:
        return df, None
    groups = collapse_one_hot(df, spec.one_hot, source)
    return groups.frame, groups


def _notes(groups: OneHotGroups | None, repeats: int, repeat_rows: int) -> list[str]:
    notes = []
    if groups is not None:
        notes.append(
            f"one-hot columns '{groups.columns[0]}…{groups.columns[-1]}' collapsed into one label each; "
            f"scale in file order: {' > '.join(groups.scale)}"
            if len(groups.columns) > 1
            else f"one-hot columns collapsed into '{groups.columns[0]}'; scale in file order: "
            f"{' > '.join(groups.scale)}"
        )
        if groups.unlabelled:
            notes.append(f"{groups.unlabelled} annotation(s) with no one-hot column at 1 left out")
    if repeats:
        notes.append(
            f"{repeats:,} repeat annotation(s) (an annotator labelling an item again) on {repeat_rows:,} "
            "item(s) kept; agreement uses each annotator's first label"
        )
    return notes


def _wide(df: pl.DataFrame, roles: RoleMapping, spec: AnnotationSpec, source: str) -> PreparedAnnotations:
    df, groups = _one_hot(df, spec, source)
    columns = _expand(spec.columns, df.columns, source)
    if len(columns) < 2:
        raise InputError(
            f"{source}: agreement needs at least two annotators; --annotator-cols names {columns}."
        )
    df = df.with_columns(_label_text(df[c]) for c in columns)
    first = (
        df.select(columns)
        .with_row_index("row_id")
        .unpivot(index="row_id", variable_name="annotator", value_name="label")
        .drop_nulls("label")
        .with_columns(pl.col("row_id").cast(pl.Int64), seq=pl.lit(0, dtype=pl.Int64))
    )
    if first.is_empty():
        raise InputError(f"{source}: the annotator columns {columns} are all empty.")
    extra = (
        groups.repeats.filter(pl.col("column").is_in(columns)).select(
            pl.col("row").alias("row_id"), pl.col("column").alias("annotator"), "label", "seq"
        )
        if groups is not None
        else first.clear()
    )
    order = {c: i for i, c in enumerate(columns)}
    annotations = (
        pl.concat([first, extra])
        .with_columns(_col=pl.col("annotator").replace_strict(order, return_dtype=pl.Int64))
        .sort("row_id", "_col", "seq")
        .select("row_id", "annotator", "label", labelled_at=pl.lit(None, dtype=pl.Datetime("us")))
    )
    scale = list(groups.scale) if groups is not None else None
    record = {
        "shape": "wide",
        "annotators": columns,
        "one_hot": spec.one_hot,
        "scale": scale,
        "repeats": extra.height,
    }
    notes = _notes(groups, extra.height, extra["row_id"].n_unique())
    new_roles = roles if roles.annotators else replace(roles, annotators=tuple(columns))
    return PreparedAnnotations(df, new_roles, annotations, record, tuple(notes))


def _item_keys(
    df: pl.DataFrame, roles: RoleMapping, source: str
) -> tuple[pl.DataFrame, list[str], RoleMapping]:
    """The columns identifying an item, making ``item_id`` from several; the roles to import with."""
    if roles.id and "," in roles.id:
        keys = [k.strip() for k in roles.id.split(",") if k.strip()]
        if ITEM_ID in df.columns:
            raise InputError(
                f"{source}: the file already has a column '{ITEM_ID}', the name of the id Strata makes from "
                f"{keys}; rename it in the file, or map it with --id {ITEM_ID}."
            )
        _require(df, keys, source)
        joined = df.select(
            pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in keys], separator="\x1f")
        ).to_series()
        # a digest of the key columns: stable across versions of the file, unlike a row number
        digests = [hashlib.blake2b(v.encode(), digest_size=8).hexdigest() for v in joined.to_list()]
        df = df.with_columns(pl.Series(ITEM_ID, digests))
        return df, [ITEM_ID], replace(roles, id=ITEM_ID)
    key = roles.id or roles.text
    if key is None:
        raise InputError(
            f"{source}: the long shape groups rows into items by the id: map it with --id (several columns "
            "with --id a,b,c), or map --text to make the rows with the same text one item."
        )
    _require(df, [key], source)
    empty = df[key].null_count()
    if empty:
        raise InputError(
            f"{source}: the item column '{key}' is empty in {empty} row(s); every row needs its item."
        )
    return df, [key], roles


def _require(df: pl.DataFrame, names: list[str], source: str) -> None:
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise InputError(f"{source}: column(s) {missing} not found. The file has: {', '.join(df.columns)}.")


def _plurality(annotations: pl.DataFrame) -> pl.DataFrame:
    """``row_id`` → the most given label (ties: the label most given in the whole file, then by name);
    an annotator's repeats do not vote again."""
    firsts = annotations.unique(["row_id", "annotator"], keep="first", maintain_order=True)
    overall = firsts["label"].value_counts(name="overall")
    return (
        firsts.group_by("row_id", "label")
        .len()
        .join(overall, on="label")
        .sort(["row_id", "len", "overall", "label"], descending=[False, True, True, False])
        .unique("row_id", keep="first", maintain_order=True)
        .select("row_id", "label")
    )


def _long(df: pl.DataFrame, roles: RoleMapping, spec: AnnotationSpec, source: str) -> PreparedAnnotations:
    df, groups = _one_hot(df, spec, source)
    if roles.label is None and groups is not None and len(groups.columns) == 1:
        roles = replace(roles, label=groups.columns[0])
    if roles.label is None:
        raise InputError(
            f"{source}: the long shape needs --label, the column holding each annotator's label "
            f"(one row per item × annotator, the annotator in '{spec.annotator}')."
        )
    annotator, label = spec.annotator, roles.label
    assert annotator is not None
    _require(df, [annotator, label, *([spec.labelled_at] if spec.labelled_at else [])], source)
    missing = df[annotator].null_count()
    if missing:
        rows = df.with_row_index("_r").filter(pl.col(annotator).is_null())["_r"][:5] + 1
        raise InputError(
            f"{source}: annotator column '{annotator}' is empty in {missing} row(s), e.g. rows "
            f"{rows.to_list()}; every row of the long shape is one annotator's label."
        )
    named = [k.strip() for k in (roles.id or roles.text or "").split(",") if k.strip()]
    df, keys, roles = _item_keys(df, roles, source)
    if roles.text and roles.text not in keys:
        varying = df.group_by(keys).agg(pl.col(roles.text).n_unique().alias("n")).filter(pl.col("n") > 1)
        if varying.height:
            example = varying[keys[0]][0]
            raise InputError(
                f"{source}: {varying.height} item(s) by '{', '.join(named)}' have rows with different texts "
                f"(e.g. {example!r}): the id does not identify one item. Name the columns that together "
                f"identify an item, e.g. --id {','.join(named)},{roles.text}."
            )
    per_row = [annotator, label, *([spec.labelled_at] if spec.labelled_at else [])]
    labelled_at = _times(df, spec.labelled_at, source)
    items = (
        df.select(keys)
        .unique(maintain_order=True)
        .with_row_index("row_id")
        .with_columns(pl.col("row_id").cast(pl.Int64))
    )
    long = df.select(
        *keys,
        annotator=pl.col(annotator).cast(pl.String),
        label=_label_text(df[label]),
        labelled_at=labelled_at,
    ).join(items, on=keys, how="left", maintain_order="left")
    unlabelled = long["label"].null_count()
    annotations = long.drop_nulls("label").select("row_id", "annotator", "label", "labelled_at")
    if annotations.is_empty():
        raise InputError(f"{source}: the label column '{roles.label}' is empty in every row.")
    others = [c for c in df.columns if c not in keys and c not in per_row]
    spread = df.group_by(keys).agg(pl.col(others).n_unique()).select(pl.col(others).max()) if others else None
    dropped = [c for c in others if spread is not None and int(spread[c][0]) > 1]
    kept = [c for c in others if c not in dropped]
    frame = (
        df.select(*keys, *kept)
        .unique(keys, keep="first", maintain_order=True)
        .with_row_index("row_id")
        .with_columns(pl.col("row_id").cast(pl.Int64))
        .join(_plurality(annotations).rename({"label": label}), on="row_id", how="left")
        .drop("row_id")
    )
    repeats = annotations.select("row_id", "annotator").is_duplicated()
    repeat_rows = annotations.filter(repeats)["row_id"].n_unique()
    repeat_count = annotations.height - annotations.select("row_id", "annotator").n_unique()
    notes = _notes(groups, repeat_count, repeat_rows)
    notes.insert(0, f"{df.height:,} rows grouped into {frame.height:,} items by {', '.join(named)}")
    if dropped:
        shown = ", ".join(dropped[:6]) + (f" and {len(dropped) - 6} more" if len(dropped) > 6 else "")
        notes.append(f"columns that differ between an item's annotators not kept on the items: {shown}")
    if unlabelled:
        notes.append(f"{unlabelled:,} row(s) with an empty label left out")
    if roles.id is None:
        notes.append(f"no --id: rows with the same {roles.text} are one item")
    record = {
        "shape": "long",
        "annotators": sorted(annotations["annotator"].unique().to_list()),
        "annotator_column": spec.annotator,
        "item": named,
        "one_hot": spec.one_hot,
        "scale": list(groups.scale) if groups is not None else None,
        "repeats": repeat_count,
    }
    if roles.id is None:
        roles = replace(roles, id=keys[0]) if keys[0] != roles.text else roles
    return PreparedAnnotations(frame, roles, annotations, record, tuple(notes))


def _times(df: pl.DataFrame, column: str | None, source: str) -> pl.Series:
    if column is None:
        return pl.Series("labelled_at", [None] * df.height, dtype=pl.Datetime("us"))
    values = df[column]
    if values.dtype == pl.String:
        parsed = values.str.to_datetime(strict=False, time_unit="us")
        bad = parsed.is_null() & values.is_not_null()
        if bad.any():
            raise InputError(
                f"{source}: '{column}' has {int(bad.sum())} value(s) that are not dates, e.g. "
                f"{values.filter(bad)[0]!r}; give ISO dates (2021-05-01 12:30)."
            )
        values = parsed
    if not isinstance(values.dtype, pl.Datetime):
        raise InputError(f"{source}: '{column}' holds {values.dtype}, not dates and times.")
    return values.dt.replace_time_zone(None).cast(pl.Datetime("us")).alias("labelled_at")


def prepare_annotations(
    df: pl.DataFrame, roles: RoleMapping, spec: AnnotationSpec, source: str
) -> PreparedAnnotations:
    """Turn a file with several annotators' labels into rows to import and their annotations.

    Parameters
    ----------
    df : polars.DataFrame
        The file as read, n rows.
    roles : RoleMapping
        The role mapping the user gave (``id`` may name several comma-separated columns in the long
        shape).
    spec : AnnotationSpec
        The shape: ``columns`` (wide) or ``annotator`` (long), and the optional one-hot collapse.
    source : str
        The file, for messages.

    Returns
    -------
    PreparedAnnotations
        The rows, the roles to import them with, the annotations (``row_id`` = position in the rows),
        what the version records and notes for the user. Without a shape (only ``one_hot``), the
        collapsed file and no annotations.

    Raises
    ------
    InputError
        When both shapes are given, a named column is missing, fewer than two annotator columns are
        named, the annotator column has empty cells, the long shape has no label or no item key, an
        item's rows have different texts, or the one-hot columns are not one-hot.
    """
    if spec.columns and spec.annotator:
        raise InputError(
            "Annotators come in one shape: one column per annotator (--annotator-cols) or one row per "
            "item × annotator (--annotator); give one of them."
        )
    if spec.labelled_at and not spec.annotator:
        raise InputError("--labelled-at names the time of each annotator's label: it needs --annotator.")
    if spec.shape == "wide":
        return _wide(df, roles, spec, source)
    if spec.shape == "long":
        return _long(df, roles, spec, source)
    frame, groups = _one_hot(df, spec, source)
    notes = tuple(_notes(groups, 0, 0))
    return PreparedAnnotations(frame, roles, _EMPTY, {}, notes)
