"""A gold set against a project: every version of its dataset from the one it was made from onwards
is checked for violations and its labels scored, and every model run on those versions (probe runs
included) is scored on the gold rows (:mod:`analysis.labeling.gold` does the science)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from analysis.labeling.gold import GoldScore, score_against_gold, violations
from storage.gold_approvals import GoldApprovalInfo, read_approvals
from storage.gold_sets import GoldSetInfo, get_gold_set, read_gold_rows
from storage.project import Project
from storage.runs import list_runs, read_predictions
from storage.versions import Version, list_versions, read_rows

LABEL = "_label"  # the version's label column, whatever its name, in the frames read here


def version_rows(project: Project, version: Version) -> tuple[pl.DataFrame, str | None]:
    """A version's rows as the gold checks read them.

    Returns
    -------
    rows : polars.DataFrame
        ``_row_id``, ``_row_key``, ``_content_hash``, ``_label`` (str; only when the version has a
        label column) and ``text`` (str; null without a text column).
    label : str or None
        ``"_label"`` when the version has labels, else None.
    """
    label, text = version.roles.get("label"), version.roles.get("text")
    wanted = [c for c in (label, text) if isinstance(c, str)]
    raw = read_rows(project, version.version_id, wanted)
    columns = [pl.col("_row_id"), pl.col("_row_key"), pl.col("_content_hash")]
    if isinstance(label, str):
        columns.append(pl.col(label).cast(pl.String).alias(LABEL))
    columns.append(
        pl.col(text).cast(pl.String).alias("text")
        if isinstance(text, str)
        else pl.lit(None, pl.String).alias("text")
    )
    return raw.select(columns), LABEL if isinstance(label, str) else None


def label_accuracy(project: Project, gold_rows: pl.DataFrame, version: Version) -> float | None:
    """Accuracy of a version's labels on a gold set's rows (:func:`score_against_gold`); None when the
    version has no labels or none of its rows is in the set."""
    rows, label = version_rows(project, version)
    if label is None:
        return None
    score = score_against_gold(
        gold_rows,
        rows,
        subject=name_of(version),
        kind="labels",
        version_id=version.version_id,
        label_column=label,
    )
    return score.accuracy if score.compared else None


def name_of(version: Version) -> str:
    """``dataset:number``."""
    return f"{version.dataset}:{version.number}"


@dataclass(frozen=True)
class VersionCheck:
    """One version of the gold set's dataset checked against it.

    Attributes
    ----------
    version_id : int
    name : str
        ``dataset:number``.
    violations : polars.DataFrame
        :func:`analysis.labeling.gold.violations`.
    score : GoldScore or None
        The version's labels against the gold labels (None: the version has no label column).
    """

    version_id: int
    name: str
    violations: pl.DataFrame
    score: GoldScore | None

    def counts(self) -> dict[str, int]:
        """Violations by kind (a row changed in text and label counts in both)."""
        kinds = self.violations["kind"].to_list()
        return {k: sum(k in x for x in kinds) for k in ("missing", "content", "label")}


@dataclass(frozen=True)
class GoldReport:
    """A gold set's standing: its versions' violations and scores, and every run's score.

    Attributes
    ----------
    gold : GoldSetInfo
    rows : polars.DataFrame
        The frozen rows (:func:`storage.gold_sets.read_gold_rows`).
    versions : list of VersionCheck
        From the version the set was made from to the newest, oldest first.
    runs : list of GoldScore
        Every model run on those versions, oldest first.
    approvals : list of GoldApprovalInfo
    notes : list of str
    """

    gold: GoldSetInfo
    rows: pl.DataFrame
    versions: list[VersionCheck]
    runs: list[GoldScore]
    approvals: list[GoldApprovalInfo]
    notes: list[str] = field(default_factory=list)

    @property
    def newest(self) -> VersionCheck | None:
        """The check of the dataset's newest version."""
        return self.versions[-1] if self.versions else None

    def as_dict(self, top: int = 20) -> dict[str, Any]:
        """JSON-ready summary (``top`` rows of each list)."""
        g = self.gold
        return {
            "gold_set": g.name,
            "source": g.source,
            "version_id": g.version_id,
            "filter": g.filter,
            "rows": g.rows,
            "labelled": int(self.rows["label"].is_not_null().sum()),
            "revision": g.revision,
            "author": g.author,
            "created_at": str(g.created_at),
            "note": g.note,
            "versions": [
                {
                    "version": v.name,
                    "version_id": v.version_id,
                    "violations": v.violations.height,
                    "violations_by_kind": v.counts(),
                    "violation_rows": v.violations.drop("gold_hash", "content_hash").head(top).to_dicts(),
                    "labels": v.score.as_dict(top) if v.score is not None else None,
                }
                for v in self.versions
            ],
            "runs": [r.as_dict(top) for r in self.runs],
            "approvals": [
                {
                    "action": a.action,
                    "author": a.author,
                    "at": str(a.at),
                    "note": a.note,
                    "version_id": a.version_id,
                    "rows": len(a.changes),
                }
                for a in self.approvals
            ],
            "notes": self.notes,
        }


def gold_report(project: Project, ref: str | int) -> GoldReport:
    """Check and score everything against a gold set.

    Parameters
    ----------
    ref : str or int
        The gold set's name or id.

    Returns
    -------
    GoldReport

    Raises
    ------
    InputError
        When there is no such gold set (the message lists them).
    """
    gold = get_gold_set(project, ref)
    rows = read_gold_rows(project, gold.gold_id)
    later = [
        v
        for v in list_versions(project)
        if v.dataset_id == gold.dataset_id and v.number >= gold.version_number
    ]
    notes: list[str] = []
    if rows["label"].null_count() == rows.height:
        notes.append("the gold set has no labels: versions are checked for changed or missing rows only")
    checks: list[VersionCheck] = []
    runs: list[GoldScore] = []
    for version in later:
        frame, label = version_rows(project, version)
        name = name_of(version)
        score = (
            score_against_gold(
                rows, frame, subject=name, kind="labels", version_id=version.version_id, label_column=label
            )
            if label is not None
            else None
        )
        checks.append(VersionCheck(version.version_id, name, violations(rows, frame, label), score))
        for run in list_runs(project, version.version_id):
            predicted = read_predictions(project, run.run_id).select("_row_id", "predicted")
            scored = frame.join(predicted, on="_row_id", how="left", maintain_order="left")
            runs.append(
                score_against_gold(
                    rows,
                    scored,
                    subject=f"{name} run {run.name}",
                    kind=run.kind,
                    version_id=version.version_id,
                    prediction="predicted",
                    run_id=run.run_id,
                    run_name=run.name,
                )
            )
    if not runs:
        notes.append(
            "no model run on these versions yet: import outputs, or make a probe run "
            "(strata run --probe always)"
        )
    return GoldReport(gold, rows, checks, runs, read_approvals(project, gold.gold_id), notes)
