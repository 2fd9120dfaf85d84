"""Making and changing gold sets: marking a version or a slice of it as gold (its rows frozen), and
the three approved changes: accepting rows from a version, relabelling and removing rows. Every
change goes through :func:`storage.gold_approvals.approve_change`, with a note, into the audit log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import polars as pl

from analysis.labeling.gold import freeze_rows, violations
from analysis.labeling.gold_report import version_rows
from storage.errors import InputError
from storage.gold_approvals import GoldApprovalInfo, approve_change
from storage.gold_sets import GoldSetInfo, create_gold_set, read_gold_rows
from storage.project import Project
from storage.versions import get_version, read_rows

if TYPE_CHECKING:  # the slices package reads a version's filter table, which reads its tags
    from analysis.slices.row_sets import RowSet


def mark_gold_set(
    project: Project, name: str, rows: RowSet, *, note: str = "", author: str | None = None
) -> tuple[GoldSetInfo, list[str]]:
    """Mark rows of a version (all of them, or a slice's) as a gold set: their keys, content hashes
    and the labels of the version's label column are frozen.

    Parameters
    ----------
    name : str
        The gold set's name (unique in the project).
    rows : RowSet
        The rows, as :func:`analysis.slices.row_sets.resolve_row_set` names them (a version, or a
        slice or filter of it): the slice and filter are recorded with the set.
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
        For a gold set's rows (a gold set is made from a version), no rows, or a name already taken.
    """
    if rows.gold:
        raise InputError(f"A gold set is made from a version's rows, not from {rows.title}.")
    version = get_version(project, rows.version_id)
    label = version.roles.get("label")
    label = label if isinstance(label, str) else None
    chosen = read_rows(project, version.version_id, [label] if label else []).filter(
        pl.col("_row_id").is_in(rows.rows["_row_id"].implode())
    )
    gold, repeated = freeze_rows(chosen, label, version.version_id)
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
        version.version_id,
        gold,
        label_column=label,
        slice_name=rows.slice_name,
        filter_spec=rows.filter,
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
        version nor in the gold set, or as :func:`storage.gold_approvals.approve_change`.
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
        When a key is not in the set, or as :func:`storage.gold_approvals.approve_change`.
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
        As :func:`storage.gold_approvals.approve_change` (a key not in the set, an empty note).
    """
    return approve_change(project, gold.gold_id, "remove", note, removals=list(keys), author=author)
