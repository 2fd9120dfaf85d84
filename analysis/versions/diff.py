"""What changed between two versions of a dataset: rows, cells, labels, schema and predictions.

Rows are matched by ``_row_key`` (the mapped id, or the text's hash when there is none) and, when a
key repeats within a version, by its occurrence (the k-th row with a key in one version meets the
k-th in the other): no row is matched twice, and repeated keys are reported. The matching is Strata's
own (a hash join checked pair by pair) because it is the diff's main cost: datacompy joins on the key
columns and compares afterwards, at several times the cost on a million rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.class_pairs import ClassPairs, count_pairs
from analysis.palette import class_order
from analysis.stats import paired_accuracy_difference
from storage.project import Project
from storage.runs import list_runs, read_predictions
from storage.versions import get_version, list_versions, read_rows

SYSTEM = ("_row_id", "_row_key", "_content_hash")


@dataclass
class VersionDiff:
    """The difference between two versions (``from`` → ``to``).

    ``label_pairs`` counts the matched rows whose label changed as an old × new class matrix, with each
    change's rows (``_row_id`` of the ``to`` version, and keys); a label that became or stopped being
    missing is in ``label_changes`` only.
    """

    match_by: str
    added: int
    removed: int
    unchanged: int
    changed: int
    added_keys: list[str]
    removed_keys: list[str]
    changed_cells: pl.DataFrame
    label_changes: pl.DataFrame
    schema: dict[str, Any]
    repeated_keys: dict[str, int]
    predictions: dict[str, Any] | None = None
    changed_columns: dict[str, int] = field(default_factory=dict)
    clusters: dict[str, Any] | None = None
    label_column: str | None = None
    label_pairs: ClassPairs | None = None

    def schema_text(self) -> str:
        """The schema changes in words, e.g. ``added: label_corrected; removed: none; retyped: none``."""

        def listed(names: list[str]) -> str:
            return ", ".join(names) or "none"

        retyped = [f"{r['column']} ({r['from']} → {r['to']})" for r in self.schema["retyped"]]
        return (
            f"added: {listed(self.schema['added'])}; removed: {listed(self.schema['removed'])}; "
            f"retyped: {listed(retyped)}"
        )

    def repeated_text(self) -> str:
        """The repeated keys in words ("" when no key repeats)."""
        r = self.repeated_keys
        if not any(r.values()):
            return ""
        return (
            f"rows sharing a key (matched by occurrence, never twice): {r['from']:,} in the first "
            f"version, {r['to']:,} in the second"
        )

    def summary(self) -> dict[str, Any]:
        """Counts and small tables as plain JSON."""
        return {
            "match_by": self.match_by,
            "added": self.added,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "changed_columns": self.changed_columns,
            "schema": self.schema,
            "repeated_keys": self.repeated_keys,
            "label_changes": self.label_changes.to_dicts(),
            "predictions": self.predictions,
            "clusters": self.clusters,
        }


def _hash(frame: pl.DataFrame) -> pl.Series:
    """64-bit hash of each row (polars' row hash)."""
    return frame.hash_rows()


def _identities(keys: pl.Series) -> tuple[pl.DataFrame, pl.Series, int]:
    """Each row's identity (key, occurrence of that key), a 64-bit hash of it, and how many rows share
    their key with another.

    Unique keys (the usual case) are found from the hashes alone, which spares a grouped count that
    costs more than the rest of the diff; the occurrence is then 1 everywhere.
    """
    ident = keys.alias("key").to_frame().with_columns(occurrence=pl.lit(1, dtype=pl.UInt32))
    hashed = _hash(ident)
    if hashed.n_unique() == keys.len():
        return ident, hashed, 0
    ident = ident.with_columns(occurrence=pl.col("key").cum_count().over("key").cast(pl.UInt32))
    return ident, _hash(ident), int(keys.is_duplicated().sum())


def _match_rows(
    a: pl.DataFrame, b: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, int]]:
    """The matched pairs (``left`` beside ``right``), the removed rows of ``a``, the added rows of ``b``,
    and how many rows of each side repeat a key."""
    ident_a, hash_a, repeated_a = _identities(a["_row_key"])
    ident_b, hash_b, repeated_b = _identities(b["_row_key"])
    repeated = {"from": repeated_a, "to": repeated_b}
    if a.height == b.height and a["_row_key"].equals(b["_row_key"]):
        # The same keys in the same order (an edited export of the same table): rows pair by position.
        return pl.concat([left, right], how="horizontal"), a.clear(), b.clear(), repeated
    ia, ib = _pair_rows(ident_a, hash_a, ident_b, hash_b)
    kept_a, kept_b = np.zeros(a.height, dtype=bool), np.zeros(b.height, dtype=bool)
    kept_a[ia], kept_b[ib] = True, True
    # ia is ascending, so when every row of a is matched it is 0…n-1 and a needs no reordering
    pairs = pl.concat([left if ia.size == a.height else left[ia], right[ib]], how="horizontal")
    return pairs, a.filter(~kept_a), b.filter(~kept_b), repeated


def _pair_rows(
    a: pl.DataFrame, ha: pl.Series, b: pl.DataFrame, hb: pl.Series
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Positions of the matched rows of ``a`` and ``b`` (same identity), in ``a``'s order.

    Joins on the 64-bit hashes, then checks every pair's identity; should two identities share a hash,
    it joins on the identities themselves, so the result is exact either way.
    """
    pairs = (
        pl.LazyFrame({"h": ha})
        .with_row_index("i")
        .join(pl.LazyFrame({"h": hb}).with_row_index("j"), on="h")
        .collect()
    )
    ia, ib = pairs["i"], pairs["j"]
    if not all(a[c].gather(ia).equals(b[c].gather(ib)) for c in a.columns):
        exact = a.with_row_index("i").join(b.with_row_index("j"), on=["key", "occurrence"])
        ia, ib = exact["i"], exact["j"]
    partner = np.full(a.height, -1, dtype=np.int64)
    partner[ia.to_numpy()] = ib.to_numpy()
    matched = np.flatnonzero(partner >= 0)
    return matched, partner[matched]


def diff_versions(
    project: Project, from_version: int, to_version: int, cell_limit: int = 100_000
) -> VersionDiff:
    """Compare two versions of a dataset.

    Parameters
    ----------
    from_version, to_version : int
        Version ids (any two versions; usually of one dataset).
    cell_limit : int
        At most this many changed cells are listed (the counts are always complete).

    Returns
    -------
    VersionDiff
        Rows added, removed, unchanged and changed; each changed cell (key, column, old, new); label
        changes as (from, to, rows); columns added, removed and retyped; keys repeated in each version;
        and, when both versions have a model run, prediction flips and the change in accuracy on the
        matched rows with a 95% paired interval.
    """
    a_info, b_info = get_version(project, from_version), get_version(project, to_version)
    a, b = read_rows(project, from_version), read_rows(project, to_version)
    label, new_label = a_info.roles.get("label"), b_info.roles.get("label")
    diff, matched = diff_frames(
        a,
        b,
        a_info.column_types,
        b_info.column_types,
        label if isinstance(label, str) else None,
        new_label if isinstance(new_label, str) else None,
        cell_limit,
        # the project's class order (as ViewFrame.class_order begins), so classes keep their colours
        order=class_order(v.label_names for v in list_versions(project)),
    )
    diff.match_by = str(a_info.roles.get("row_key", "id"))
    if "__label_from" in matched.columns and "__label_to" in matched.columns:
        diff.predictions = _prediction_flips(project, from_version, to_version, matched)
    diff.clusters = _cluster_changes(project, a, b, from_version, to_version)
    return diff


def diff_frames(
    a: pl.DataFrame,
    b: pl.DataFrame,
    a_cols: dict[str, str],
    b_cols: dict[str, str],
    label: str | None,
    new_label: str | None,
    cell_limit: int = 100_000,
    order: Sequence[str] = (),
) -> tuple[VersionDiff, pl.DataFrame]:
    """The row, cell, label and schema differences of two row tables already in memory.

    Parameters
    ----------
    a, b : polars.DataFrame
        Rows with ``_row_id`` and ``_row_key``, as :func:`storage.versions.read_rows` gives them.
    a_cols, b_cols : dict of str to str
        Logical type of each user column.
    label, new_label : str or None
        Label column of each side.
    order : sequence of str
        The project's class order, for the axes of ``label_pairs``.

    Returns
    -------
    diff : VersionDiff
        Without prediction flips and clusters (those need the project).
    matched : polars.DataFrame
        The matched row pairs.
    """
    common = [c for c in a_cols if c in b_cols]
    schema = {
        "added": [c for c in b_cols if c not in a_cols],
        "removed": [c for c in a_cols if c not in b_cols],
        "retyped": [
            {"column": c, "from": a_cols[c], "to": b_cols[c]} for c in common if a_cols[c] != b_cols[c]
        ],
    }
    labels_a = [pl.col(label).cast(pl.String).alias("__label_from")] if isinstance(label, str) else []
    labels_b = [pl.col(new_label).cast(pl.String).alias("__label_to")] if isinstance(new_label, str) else []
    renamed = [pl.col(c).alias(f"{c}__to") for c in common]
    left = a.select("_row_key", "_row_id", *common, *labels_a)
    right = b.select(pl.col("_row_id").alias("_row_id_to"), *renamed, *labels_b)
    matched, removed, added, repeated = _match_rows(a, b, left, right)
    # each compared column as (old, new) in the matched pairs; a label that moved to another column
    # (a relabelling pass writes <label>_corrected) is compared across the two
    compared = {c: (c, f"{c}__to") for c in common if a_cols[c] == b_cols[c]}
    label_column = label if labels_a and labels_b else None
    if labels_a and labels_b and label != new_label:
        label_column = f"{label} → {new_label}"
        compared[label_column] = ("__label_from", "__label_to")
    differs = {name: matched[old].ne_missing(matched[new]) for name, (old, new) in compared.items()}
    any_change = np.zeros(matched.height, dtype=bool)
    for series in differs.values():
        any_change |= series.to_numpy()
    cells = [
        matched.filter(series).select(
            pl.col("_row_key").alias("key"),
            pl.lit(name).alias("column"),
            pl.col(compared[name][0]).cast(pl.String).alias("old"),
            pl.col(compared[name][1]).cast(pl.String).alias("new"),
        )
        for name, series in differs.items()
        if series.any()
    ]
    empty = {"key": pl.String, "column": pl.String, "old": pl.String, "new": pl.String}
    changed_cells = pl.concat(cells).head(cell_limit) if cells else pl.DataFrame(schema=empty)
    label_changes = pl.DataFrame(schema={"from": pl.String, "to": pl.String, "rows": pl.UInt32})
    label_pairs = None
    if labels_a and labels_b:
        relabelled = matched.filter(pl.col("__label_from").ne_missing(pl.col("__label_to")))
        label_changes = (
            relabelled.select(pl.col("__label_from").alias("from"), pl.col("__label_to").alias("to"))
            .group_by("from", "to")
            .len("rows")
            .sort("rows", "from", descending=[True, False])
        )
        label_pairs = count_pairs(
            relabelled["__label_from"].to_list(),
            relabelled["__label_to"].to_list(),
            order=order,
            row_ids=relabelled["_row_id_to"].to_numpy(),
            row_keys=relabelled["_row_key"].to_list(),
            names=("from", "to"),
        )
    diff = VersionDiff(
        match_by="id",
        added=added.height,
        removed=removed.height,
        unchanged=int((~any_change).sum()),
        changed=int(any_change.sum()),
        added_keys=added["_row_key"].to_list(),
        removed_keys=removed["_row_key"].to_list(),
        changed_cells=changed_cells,
        label_changes=label_changes,
        schema=schema,
        repeated_keys=repeated,
        changed_columns={c: int(s.sum()) for c, s in differs.items() if s.any()},
        label_column=label_column,
        label_pairs=label_pairs,
    )
    return diff, matched


def _prediction_flips(project: Project, a: int, b: int, matched: pl.DataFrame) -> dict[str, Any] | None:
    runs_a, runs_b = list_runs(project, a), list_runs(project, b)
    if not runs_a or not runs_b:
        return None
    pred_a = read_predictions(project, runs_a[-1].run_id)["predicted"].to_numpy()[
        matched["_row_id"].to_numpy()
    ]
    pred_b = read_predictions(project, runs_b[-1].run_id)["predicted"].to_numpy()[
        matched["_row_id_to"].to_numpy()
    ]
    given_a = matched["__label_from"].cast(pl.String).to_numpy()
    given_b = matched["__label_to"].cast(pl.String).to_numpy()
    right_a, right_b = pred_a == given_a, pred_b == given_b
    difference, low, high = paired_accuracy_difference(right_a, right_b)
    return {
        "runs": [runs_a[-1].name, runs_b[-1].name],
        "matched_rows": int(matched.height),
        "right_to_wrong": int((right_a & ~right_b).sum()),
        "wrong_to_right": int((~right_a & right_b).sum()),
        "changed_wrong": int((~right_a & ~right_b & (pred_a != pred_b)).sum()),
        "accuracy_from": float(right_a.mean()) if right_a.size else float("nan"),
        "accuracy_to": float(right_b.mean()) if right_b.size else float("nan"),
        "difference": difference,
        "difference_ci": [low, high],
    }


def match_clusters(
    before: dict[str, set[str]],
    after: dict[str, set[str]],
    min_jaccard: float = 0.5,
    size_change: float = 0.5,
) -> dict[str, Any]:
    """Match clusters of two versions by member overlap (Jaccard index of their row keys).

    Parameters
    ----------
    before, after : dict of str to set of str
        Cluster name → row keys of its members.
    min_jaccard : float
        Overlap at or above which two clusters are the same cluster.
    size_change : float
        Relative size change from which a matched cluster is reported as changed (0.5: ±50%).

    Returns
    -------
    dict
        ``matched`` [(before, after, jaccard, size_before, size_after)], ``changed`` (the matched ones
        whose size changed markedly), ``vanished`` and ``appeared`` cluster names.
    """
    matched, used = [], set()
    for name, members in before.items():
        best, score = None, 0.0
        for other, others in after.items():
            if other in used:
                continue
            jaccard = len(members & others) / max(len(members | others), 1)
            if jaccard > score:
                best, score = other, jaccard
        if best is not None and score >= min_jaccard:
            used.add(best)
            matched.append((name, best, round(score, 4), len(members), len(after[best])))
    changed = [m for m in matched if abs(m[4] / max(m[3], 1) - 1) >= size_change]
    return {
        "matched": matched,
        "changed": changed,
        "vanished": [n for n in before if n not in {m[0] for m in matched}],
        "appeared": [n for n in after if n not in used],
    }


def _cluster_changes(
    project: Project, a: pl.DataFrame, b: pl.DataFrame, va: int, vb: int
) -> dict[str, Any] | None:
    from storage.stage_outputs import read_clusters

    sides = []
    for frame, version in ((a, va), (b, vb)):
        clusters, labels = read_clusters(project, version)
        if labels is None:
            return None
        names = {c.label: f"{c.name} #{c.label}" for c in clusters}
        keys = frame["_row_key"].to_numpy()
        sides.append({names[c]: set(keys[labels == c].tolist()) for c in names})
    return match_clusters(sides[0], sides[1])
