"""Making and changing gold sets: marking a version or a slice of it as gold (its rows frozen), and
the three approved changes: accepting rows from a version, relabelling and removing rows. Every
change goes through :func:`storage.gold_sets.approve_change`, with a note, into the audit log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from analysis.labeling.gold import freeze_rows, violations
from analysis.labeling.gold_report import version_rows
from analysis.slices.filters import evaluate, list_slices, version_table
from storage.errors import InputError
from storage.gold_sets import (
    GoldApprovalInfo,
    GoldSetInfo,
    approve_change,
    create_gold_set,
    read_gold_rows,
)
from storage.project import Project
from storage.versions import get_version, read_rows


def mark_gold_set(
    project: Project,
    name: str,
    version_id: int,
    *,
    slice_name: str | None = None,
    where: str | None = None,
    note: str = "",
    author: str | None = None,
) -> tuple[GoldSetInfo, list[str]]:
    """Mark a version, or the rows of a saved slice or a filter on it, as a gold set (rows frozen).

    Parameters
    ----------
    name : str
        The gold set's name (unique in the project).
    version_id : int
        The version whose rows are frozen, with their content hashes and the labels of its label
        column.
    slice_name : str, optional
        A saved slice: its filter as it is now is recorded with the set.
    where : str, optional
        A filter given there and then (the slices' SQL, :func:`analysis.slices.filters.evaluate`).
    note : str
        Why the set was made (kept with it and in the audit log).

    Returns
    -------
    gold : GoldSetInfo
    notes : list of str
        What was left out (repeated keys) or is missing (labels).

    Raises
    ------
    InputError
        For both a slice and a filter, an unknown slice, a filter that does not run, no rows, or a
        name already taken.
    """
    if slice_name and where:
        raise InputError("Give a slice (--slice) or a filter (--where), not both.")
    version = get_version(project, version_id)
    label = version.roles.get("label")
    label = label if isinstance(label, str) else None
    rows = read_rows(project, version_id, [label] if label else [])
    spec = None
    if slice_name:
        slices = list_slices(project)
        if slice_name not in slices:
            raise InputError(f"No slice named '{slice_name}'; saved slices: {', '.join(slices) or 'none'}.")
        spec = slices[slice_name]
    elif where:
        spec = {"where": where}
    if spec is not None:
        rows = rows.filter(pl.Series(evaluate(version_table(project, version_id), spec)))
    gold, repeated = freeze_rows(rows, label, version_id)
    notes = []
    if label is None:
        notes.append(
            f"{version.dataset}:{version.number} has no label column: only the texts are frozen, and "
            "nothing can be scored against this gold set"
        )
    elif (empty := gold["label"].null_count()) > 0:
        notes.append(f"{empty:,} gold rows have no label: they are checked for changes but not scored")
    if repeated:
        notes.append(f"{repeated:,} rows repeat an earlier row's key (the same text): each key is kept once")
    info = create_gold_set(
        project,
        name,
        version_id,
        gold,
        label_column=label,
        slice_name=slice_name,
        filter_spec=spec,
        note=note,
        author=author,
    )
    return info, notes


def _of_dataset(project: Project, gold: GoldSetInfo, version_id: int) -> None:
    version = get_version(project, version_id)
    if version.dataset_id != gold.dataset_id:
        raise InputError(
            f"The gold set '{gold.name}' was made from dataset '{gold.dataset}'; "
            f"{version.dataset}:{version.number} is another dataset."
        )


def accept_from_version(
    project: Project,
    gold: GoldSetInfo,
    version_id: int,
    note: str,
    keys: Sequence[str] | None = None,
    author: str | None = None,
) -> GoldApprovalInfo:
    """Approve a version's rows into the gold set: its text and label become the gold ones.

    Parameters
    ----------
    version_id : int
        A version of the gold set's dataset.
    keys : sequence of str, optional
        The rows to take: a key the version has is added or replaced, a gold key the version lacks
        is removed. None: every violation the version shows (changed rows replaced, missing rows
        removed).
    note : str
        Why (required).

    Raises
    ------
    InputError
        When the version is of another dataset, has no violation to accept, a key is neither in the
        version nor in the gold set, or as :func:`storage.gold_sets.approve_change`.
    """
    _of_dataset(project, gold, version_id)
    version = get_version(project, version_id)
    frame, label = version_rows(project, version)
    current = read_gold_rows(project, gold.gold_id)
    if keys is None:
        found = violations(current, frame, label)
        if found.height == 0:
            raise InputError(
                f"{version.dataset}:{version.number} shows no violation of the gold set '{gold.name}': "
                "nothing to accept."
            )
        removals = found.filter(pl.col("kind") == "missing")["row_key"].to_list()
        wanted = set(found["row_key"].to_list()) - set(removals)
    else:
        present = set(frame["_row_key"].to_list())
        in_gold = set(current["row_key"].to_list())
        unknown = [k for k in keys if k not in present and k not in in_gold]
        if unknown:
            raise InputError(
                f"{', '.join(repr(k) for k in unknown[:5])}: neither a row of "
                f"{version.dataset}:{version.number} nor of the gold set '{gold.name}'."
            )
        removals = [k for k in keys if k not in present]
        wanted = {k for k in keys if k in present}
    taken = frame.filter(pl.col("_row_key").is_in(list(wanted)))
    upserts, _ = freeze_rows(taken, label, version_id)
    return approve_change(
        project,
        gold.gold_id,
        "accept",
        note,
        upserts=upserts,
        removals=removals,
        version_id=version_id,
        author=author,
    )


def relabel_gold(
    project: Project, gold: GoldSetInfo, labels: Mapping[str, str], note: str, author: str | None = None
) -> GoldApprovalInfo:
    """Approve new gold labels for rows of the set (row key → label); their text stays frozen.

    Raises
    ------
    InputError
        When a key is not in the set, or as :func:`storage.gold_sets.approve_change`.
    """
    current = read_gold_rows(project, gold.gold_id)
    unknown = [k for k in labels if k not in set(current["row_key"].to_list())]
    if unknown:
        raise InputError(f"The gold set '{gold.name}' has no row {', '.join(repr(k) for k in unknown[:5])}.")
    changed = current.filter(pl.col("row_key").is_in(list(labels))).with_columns(
        label=pl.col("row_key").replace_strict(dict(labels), return_dtype=pl.String)
    )
    return approve_change(project, gold.gold_id, "relabel", note, upserts=changed, author=author)


def remove_from_gold(
    project: Project, gold: GoldSetInfo, keys: Sequence[str], note: str, author: str | None = None
) -> GoldApprovalInfo:
    """Approve taking rows (by key) out of the gold set.

    Raises
    ------
    InputError
        As :func:`storage.gold_sets.approve_change` (a key not in the set, an empty note).
    """
    return approve_change(project, gold.gold_id, "remove", note, removals=list(keys), author=author)
