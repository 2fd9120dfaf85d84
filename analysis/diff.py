"""What changed between two versions of a dataset: rows, cells, labels, schema and predictions.

Rows are matched by ``_row_key`` (the mapped id, or the text's hash when there is none) and, when a
key repeats within a version, by its occurrence (the k-th row with a key in one version meets the
k-th in the other): no row is matched twice, and repeated keys are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from analysis.catalog import get_version, list_runs, read_predictions, read_rows
from analysis.slices.metrics import paired_accuracy_difference
from storage.project import Project

SYSTEM = ("_row_id", "_row_key", "_content_hash")


@dataclass
class VersionDiff:
    """The difference between two versions (``from`` → ``to``)."""

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


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """Add each row's occurrence number within its key (1 everywhere when keys are unique, the usual case,
    which spares a grouped count that costs more than the rest of the diff)."""
    if not frame["_row_key"].is_duplicated().any():
        return frame.with_columns(_occurrence=pl.lit(1, dtype=pl.UInt32))
    return frame.with_columns(_occurrence=pl.col("_row_key").cum_count().over("_row_key").cast(pl.UInt32))


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
    )
    diff.match_by = str(a_info.roles.get("row_key", "id"))
    if "__label_from" in matched.columns and "__label_to" in matched.columns:
        diff.predictions = _prediction_flips(project, from_version, to_version, matched)
    diff.clusters = _cluster_changes(project, _keyed(a), _keyed(b), from_version, to_version)
    return diff


def diff_frames(
    a: pl.DataFrame,
    b: pl.DataFrame,
    a_cols: dict[str, str],
    b_cols: dict[str, str],
    label: str | None,
    new_label: str | None,
    cell_limit: int = 100_000,
) -> tuple[VersionDiff, pl.DataFrame]:
    """The row, cell, label and schema differences of two row tables already in memory.

    Parameters
    ----------
    a, b : polars.DataFrame
        Rows with ``_row_id`` and ``_row_key``, as :func:`analysis.catalog.read_rows` gives them.
    a_cols, b_cols : dict of str to str
        Logical type of each user column.
    label, new_label : str or None
        Label column of each side.

    Returns
    -------
    diff : VersionDiff
        Without prediction flips and clusters (those need the project).
    matched : polars.DataFrame
        The matched row pairs.
    """
    a, b = _keyed(a), _keyed(b)
    common = [c for c in a_cols if c in b_cols]
    schema = {
        "added": [c for c in b_cols if c not in a_cols],
        "removed": [c for c in a_cols if c not in b_cols],
        "retyped": [
            {"column": c, "from": a_cols[c], "to": b_cols[c]} for c in common if a_cols[c] != b_cols[c]
        ],
    }
    on = ["_row_key", "_occurrence"]
    labels_a = [pl.col(label).cast(pl.String).alias("__label_from")] if isinstance(label, str) else []
    labels_b = [pl.col(new_label).cast(pl.String).alias("__label_to")] if isinstance(new_label, str) else []
    renamed = [pl.col(c).alias(f"{c}__to") for c in common]
    left = a.select(*on, "_row_id", *common, *labels_a)
    right = b.select(*on, pl.col("_row_id").alias("_row_id_to"), *renamed, *labels_b)
    if (
        a.height == b.height
        and a["_row_key"].equals(b["_row_key"])
        and a["_occurrence"].equals(b["_occurrence"])
    ):
        # The same keys in the same order (an edited export of the same table): rows pair by position.
        removed, added = a.clear(), b.clear()
        matched = pl.concat([left, right.drop(on)], how="horizontal")
    else:
        removed = a.join(b.select(on), on=on, how="anti")
        added = b.join(a.select(on), on=on, how="anti")
        matched = left.join(right, on=on)
    comparable = [c for c in common if a_cols[c] == b_cols[c]]
    differs = {c: matched[c].ne_missing(matched[f"{c}__to"]) for c in comparable}
    any_change = np.zeros(matched.height, dtype=bool)
    for series in differs.values():
        any_change |= series.to_numpy()
    cells = [
        matched.filter(series).select(
            pl.col("_row_key").alias("key"),
            pl.lit(c).alias("column"),
            pl.col(c).cast(pl.String).alias("old"),
            pl.col(f"{c}__to").cast(pl.String).alias("new"),
        )
        for c, series in differs.items()
        if series.any()
    ]
    empty = {"key": pl.String, "column": pl.String, "old": pl.String, "new": pl.String}
    changed_cells = pl.concat(cells).head(cell_limit) if cells else pl.DataFrame(schema=empty)
    label_changes = pl.DataFrame(schema={"from": pl.String, "to": pl.String, "rows": pl.UInt32})
    if labels_a and labels_b:
        label_changes = (
            matched.select(pl.col("__label_from").alias("from"), pl.col("__label_to").alias("to"))
            .filter(pl.col("from").ne_missing(pl.col("to")))
            .group_by("from", "to")
            .len("rows")
            .sort("rows", "from", descending=[True, False])
        )
    repeated = {
        "from": int(a["_row_key"].is_duplicated().sum()),
        "to": int(b["_row_key"].is_duplicated().sum()),
    }
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
    )
    return diff, matched


def _prediction_flips(project: Project, a: int, b: int, matched: pl.DataFrame) -> dict[str, Any] | None:
    runs_a, runs_b = list_runs(project, a), list_runs(project, b)
    if not runs_a or not runs_b:
        return None
    pred_a = read_predictions(project, runs_a[-1].id)["predicted"].to_numpy()[matched["_row_id"].to_numpy()]
    pred_b = read_predictions(project, runs_b[-1].id)["predicted"].to_numpy()[
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
    from analysis.catalog import read_clusters

    sides = []
    for frame, version in ((a, va), (b, vb)):
        clusters, labels = read_clusters(project, version)
        if labels is None:
            return None
        names = {c.label: f"{c.name} #{c.label}" for c in clusters}
        keys = frame["_row_key"].to_numpy()
        sides.append({names[c]: set(keys[labels == c].tolist()) for c in names})
    return match_clusters(sides[0], sides[1])
