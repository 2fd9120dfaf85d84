"""The review queue: rows carrying a tag (label issues by default), worst first, one decision each.

Risk-based review: rows in an open failure mode of high risk (the backlog's risk level) come before
the others, and rows only in low-risk failure modes after them; within each, by decreasing score."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import polars as pl

from analysis.versions.relabel import create_corrected_version
from storage.backlog import read_backlog
from storage.project import Project
from storage.reviews import copy_kept, read_decisions, record_decision
from storage.tags import read_row_tags

ACCEPT, KEEP, RELABEL, SKIP = "accept", "keep", "relabel", "skip"


RISK_RANK = {"high": 0, "medium": 1, "low": 2}


def risk_ranks(project: Project, row_tags: pl.DataFrame) -> pl.DataFrame:
    """``row_id`` → ``risk_rank`` (0 high, 1 medium, 2 low): the riskiest open failure mode a row is in."""
    risks = {e.tag: RISK_RANK[e.risk_level] for e in read_backlog(project) if e.is_open}
    if not risks or row_tags.is_empty():
        return pl.DataFrame(schema={"row_id": row_tags.schema.get("row_id", pl.Int64), "risk_rank": pl.Int64})
    ranked = row_tags.filter(pl.col("tag").is_in(list(risks))).with_columns(
        risk_rank=pl.col("tag").replace_strict(risks, return_dtype=pl.Int64)
    )
    return ranked.group_by("row_id").agg(pl.col("risk_rank").min())


@dataclass(frozen=True)
class ReviewItem:
    """One row to review: its id, score and the label suggested by the tag (if any)."""

    row_id: int
    score: float
    suggested: str | None


@dataclass
class ReviewQueue:
    """Decisions on a ranked list of rows; :meth:`save` turns the relabels into a new version.

    Decisions are stored as they are made (:mod:`storage.reviews`): a queue built again for the same
    version and tag leaves out the rows already decided (other than skipped) and starts with their
    decisions, so rows kept with **K** do not come back after the tags are rerun.

    Attributes
    ----------
    items : list of ReviewItem
        Rows by decreasing score.
    decisions : dict of int to tuple
        ``row_id`` → (decision, label): ``accept`` (the suggestion), ``keep`` (the given label),
        ``relabel`` (another label) or ``skip``.
    """

    project: Project
    version_id: int
    items: list[ReviewItem]
    tag: str = "label_issue"
    position: int = 0
    decisions: dict[int, tuple[str, str | None]] = field(default_factory=dict)

    @classmethod
    def for_tag(
        cls,
        project: Project,
        version_id: int,
        tag: str = "label_issue",
        row_tags: pl.DataFrame | None = None,
    ) -> ReviewQueue:
        """The queue of rows carrying ``tag`` on a version, highest score first.

        ``row_tags``: the version's row tags when the caller has read them already (a shown frame's
        :attr:`analysis.view_frame.ViewFrame.tags`), as :func:`storage.tags.read_row_tags` returns them.
        """
        stored = read_decisions(project, version_id, tag)
        if row_tags is None or "tag" not in row_tags.columns:  # a frame without tags read
            row_tags = read_row_tags(project, version_id)
        tags = row_tags.filter(pl.col("tag") == tag)
        tags = tags.sort("score", descending=True, nulls_last=True).unique(
            "row_id", keep="first", maintain_order=True
        )
        tags = tags.join(risk_ranks(project, row_tags), on="row_id", how="left").with_columns(
            pl.col("risk_rank").fill_null(RISK_RANK["medium"])
        )
        tags = tags.sort("risk_rank", maintain_order=True)
        items = [
            ReviewItem(int(r), float(s or 0.0), json.loads(d).get("suggested") if d else None)
            for r, s, d in tags.select("row_id", "score", "detail").iter_rows()
            if stored.get(int(r), (SKIP,))[0] == SKIP  # decided rows stay decided after a rerun
        ]
        decided = {r: d for r, d in stored.items() if d[0] != SKIP}
        return cls(project, version_id, items, tag, decisions=decided)

    @property
    def current(self) -> ReviewItem | None:
        """The item under review (None when the queue is done)."""
        return self.items[self.position] if self.position < len(self.items) else None

    def decide(self, decision: str, label: str | None = None) -> None:
        """Record a decision on the current item (stored in the project at once) and move to the next.

        Raises
        ------
        ProjectReadOnly, ProjectBusy, DiskFull
            When the decision cannot be stored; the queue is then unchanged.
        """
        item = self.current
        if item is None:
            return
        if decision == ACCEPT:
            label = item.suggested
        record_decision(self.project, self.version_id, self.tag, item.row_id, decision, label)
        self.decisions[item.row_id] = (decision, label)
        self.position += 1

    def back(self) -> None:
        """Return to the previous item (its decision can be changed)."""
        self.position = max(0, self.position - 1)

    def corrections(self) -> dict[int, str]:
        """``row_id`` → new label, for accepted suggestions and relabels."""
        return {
            r: lab for r, (d, lab) in self.decisions.items() if d in (ACCEPT, RELABEL) and lab is not None
        }

    def save(self, note: str = "") -> int:
        """Store the corrections as a new dataset version (keeping the map and the rows kept as they
        are); returns its id."""
        version = create_corrected_version(self.project, self.version_id, self.corrections(), note)
        copy_kept(self.project, self.version_id, version)
        return version
