"""Sets of rows a user names: a version, a slice of it, or a gold set (what a contamination check
compares, and what a gold set is made from).

``DATASET`` (its newest version), ``DATASET:N`` (version N), ``DATASET:SLICE`` (a saved slice of
the newest version), ``DATASET:N:SLICE``, or ``gold:NAME`` (a gold set's frozen rows, with the texts
of the versions they were frozen from).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from analysis.slices.filters import evaluate, list_slices, version_table
from storage.errors import InputError
from storage.gold_sets import get_gold_set, list_gold_sets, read_gold_rows
from storage.project import Project
from storage.versions import Version, list_versions, read_rows

GOLD_PREFIX = "gold:"
# The columns of RowSet.rows, with their dtypes.
ROW_SET_SCHEMA = {
    "version_id": pl.Int64,
    "_row_id": pl.Int64,
    "_row_key": pl.String,
    "_content_hash": pl.String,
    "text": pl.String,
}


@dataclass(frozen=True)
class RowSet:
    """Rows with their texts, from one dataset.

    Attributes
    ----------
    title : str
        The set in words: ``test:1``, ``test:1 slice 'hard'``, ``gold set 'eval'``.
    scope : str
        A stable name of the set (``test:1``, ``test:1:hard``, ``gold:eval``): what a rerun of the
        same check replaces.
    dataset_id : int
    version_id : int
        The version the rows are of (a gold set: the version it was made from).
    rows : polars.DataFrame
        :data:`ROW_SET_SCHEMA`: the version of each row (a gold set's rows can come from several),
        ``_row_id``, ``_row_key``, ``_content_hash`` and ``text`` (str, empty where missing, null
        when the version has no text column and none was needed).
    slice_name : str or None
        The saved slice the rows were chosen by.
    filter : dict or None
        The filter they were chosen by, as slices store one (``{"where": …}``; a saved slice's and
        a ``where`` given with it are both applied and recorded as one ``AND``); None: every row.
    gold : bool
        Whether the rows are a gold set's.
    """

    title: str
    scope: str
    dataset_id: int
    version_id: int
    rows: pl.DataFrame
    slice_name: str | None = None
    filter: dict[str, Any] | None = None
    gold: bool = False


def _texts(project: Project, version: Version, need_text: bool = True) -> pl.DataFrame:
    text = version.roles.get("text")
    if not isinstance(text, str) and need_text:
        raise InputError(
            f"{version.dataset}:{version.number} has no text column, and copies are found by their "
            "texts: import it with --text COLUMN."
        )
    rows = read_rows(project, version.version_id, [text] if isinstance(text, str) else [])
    return rows.select(
        pl.lit(version.version_id, dtype=pl.Int64).alias("version_id"),
        "_row_id",
        "_row_key",
        "_content_hash",
        (
            pl.col(text).cast(pl.String).fill_null("") if isinstance(text, str) else pl.lit(None, pl.String)
        ).alias("text"),
    )


def _gold(project: Project, name: str) -> RowSet:
    gold = get_gold_set(project, name)
    frozen = read_gold_rows(project, gold.gold_id)
    versions = {v.version_id: v for v in list_versions(project)}
    parts = []
    for version_id in frozen["version_id"].unique().sort().to_list():
        texts = _texts(project, versions[version_id])
        keys = frozen.filter(pl.col("version_id") == version_id).select("row_key", "content_hash")
        # the frozen content: a row whose text a later approval replaced is read from that version
        parts.append(
            texts.join(
                keys, left_on=["_row_key", "_content_hash"], right_on=["row_key", "content_hash"], how="semi"
            ).unique(subset="_row_key", keep="first", maintain_order=True)
        )
    rows = pl.concat(parts) if parts else pl.DataFrame(schema=ROW_SET_SCHEMA)
    return RowSet(
        f"gold set '{gold.name}'",
        f"{GOLD_PREFIX}{gold.name}",
        gold.dataset_id,
        gold.version_id,
        rows,
        gold=True,
    )


def _split(project: Project, ref: str) -> tuple[list[Version], list[str]]:
    """The named dataset's versions and what follows its name (the longest name that matches)."""
    versions = list_versions(project)
    if not versions:
        raise InputError(f"{project.path} has no dataset yet; import one with `strata import`.")
    parts = ref.split(":")
    for cut in range(len(parts), 0, -1):
        name = ":".join(parts[:cut])
        named = [v for v in versions if v.dataset == name]
        if named:
            return named, parts[cut:]
    datasets = ", ".join(dict.fromkeys(v.dataset for v in versions))
    golds = ", ".join(GOLD_PREFIX + g.name for g in list_gold_sets(project))
    raise InputError(
        f"No dataset '{parts[0]}' in {project.path}; datasets: {datasets}"
        + (f"; gold sets: {golds}" if golds else "")
        + ". Name rows as DATASET, DATASET:VERSION, DATASET:SLICE or gold:NAME."
    )


def resolve_row_set(project: Project, ref: str, where: str | None = None, need_text: bool = True) -> RowSet:
    """The rows ``ref`` names (see the module's docstring), optionally filtered by ``where``.

    Parameters
    ----------
    ref : str
        ``DATASET[:VERSION][:SLICE]`` or ``gold:NAME``.
    where : str, optional
        A further filter (the slices' SQL) on a version's rows, e.g. ``source = 'synthetic'``.
    need_text : bool
        Refuse a version without a text column (False: its ``text`` is null).

    Returns
    -------
    RowSet

    Raises
    ------
    InputError
        For an unknown dataset, version, slice or gold set (the message lists the known ones), a
        filter that does not run, a filter on a gold set, or a version without a text column.
    """
    ref = ref.strip()
    if ref.startswith(GOLD_PREFIX):
        if where:
            raise InputError("A filter (--where) applies to a version's rows, not to a gold set.")
        return _gold(project, ref[len(GOLD_PREFIX) :])
    named, rest = _split(project, ref)
    version, slice_name = named[-1], None
    if rest and rest[0].isdigit():
        numbers = {v.number: v for v in named}
        if int(rest[0]) not in numbers:
            raise InputError(
                f"Dataset '{named[0].dataset}' has no version {rest[0]}; versions: "
                f"{', '.join(str(n) for n in numbers)}."
            )
        version, rest = numbers[int(rest[0])], rest[1:]
    if len(rest) > 1:
        raise InputError(
            f"'{ref}' names too much: write DATASET, DATASET:VERSION, DATASET:SLICE or DATASET:VERSION:SLICE."
        )
    title = scope = f"{version.dataset}:{version.number}"
    rows = _texts(project, version, need_text)
    specs = []
    if rest:
        slice_name = rest[0]
        slices = list_slices(project)
        if slice_name not in slices:
            raise InputError(f"No slice named '{slice_name}'; saved slices: {', '.join(slices) or 'none'}.")
        specs.append(slices[slice_name])
        title, scope = f"{title} slice '{slice_name}'", f"{scope}:{slice_name}"
    if where:
        specs.append({"where": where})
        title, scope = f"{title} where {where}", f"{scope} where {where}"
    combined = None
    if specs:
        table = version_table(project, version.version_id)
        mask = np.logical_and.reduce([evaluate(table, spec) for spec in specs])
        rows = rows.filter(pl.Series(mask))
        combined = _combined(specs)
    return RowSet(title, scope, version.dataset_id, version.version_id, rows, slice_name, combined)


def _combined(specs: list[dict[str, Any]]) -> dict[str, Any]:
    """One filter holding every filter's condition (``AND``) and the row keys of any lasso."""
    wheres = [str(s["where"]) for s in specs if s.get("where")]
    keys = [s["row_keys"] for s in specs if s.get("row_keys") is not None]
    spec: dict[str, Any] = {
        "where": wheres[0] if len(wheres) == 1 else " AND ".join(f"({w})" for w in wheres) or None
    }
    if keys:
        spec["row_keys"] = sorted(set(keys[0]).intersection(*keys[1:]))
    return spec


def row_set_choices(project: Project) -> list[str]:
    """What a user can check against, as they would type it: every gold set, then every version,
    newest first (a slice is typed: ``DATASET:SLICE``)."""
    golds = [GOLD_PREFIX + g.name for g in list_gold_sets(project)]
    return golds + [f"{v.dataset}:{v.number}" for v in reversed(list_versions(project))]
