"""A contamination check on a project: the rows of one set (a version, a slice, rows marked synthetic)
against another (an evaluation split, a gold set), with the offending rows tagged ``contaminated``.

Near copies compare the stored embeddings: both sets are read from the embedding set of the checked
version's newest embed stage, so both are in the same model's space. The tags are rule tags whose
detail names the matching row, the kind of match and its figures; a rerun of the same check (same
other set) replaces them, a check against another set adds its own
(:func:`storage.rule_tags.replace_rule_tags`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.labeling.contamination import DEFAULT_NGRAM, DEFAULT_THRESHOLD, KINDS, NEAR, find_matches
from analysis.progress import NullProgress, Progress, check_cancel
from storage.embeddings import DEFAULT_BACKEND, find_set, load_vectors
from storage.errors import StageInputError
from storage.project import Project
from storage.rule_tags import replace_rule_tags
from storage.stage_outputs import latest_stage
from storage.tags import read_row_tags
from storage.versions import get_version, read_rows

if TYPE_CHECKING:  # the slices package reads a version's filter table, which reads its tags
    from analysis.slices.row_sets import RowSet

TAG = "contaminated"
TAG_COLOUR = "#843c39"
TAG_DESCRIPTION = (
    "A copy of a row of an evaluation set or gold set: exact (normalised text), near (cosine of the "
    "embeddings) or a shared 13-word run"
)
# The columns of ContaminationResult.pairs, with their dtypes.
PAIR_SCHEMA: dict[str, Any] = {
    "row_id": pl.Int64,
    "row_key": pl.String,
    "text": pl.String,
    "kind": pl.String,
    "kinds": pl.String,
    "score": pl.Float64,
    "similarity": pl.Float64,
    "overlap": pl.Float64,
    "against": pl.String,
    "match_version_id": pl.Int64,
    "match_row_id": pl.Int64,
    "match_key": pl.String,
    "match_text": pl.String,
}


@dataclass(frozen=True)
class ContaminationSpec:
    """What a check looks for.

    Attributes
    ----------
    threshold : float
        Least cosine similarity of a near copy.
    ngram : int
        Words per n-gram.
    kinds : tuple of str
        Which of ``exact``, ``near``, ``ngram`` to look for.
    """

    threshold: float = DEFAULT_THRESHOLD
    ngram: int = DEFAULT_NGRAM
    kinds: tuple[str, ...] = KINDS


@dataclass(frozen=True)
class ContaminationResult:
    """The outcome of a check.

    Attributes
    ----------
    checked, against : str
        The two sets in words.
    scope : str
        The other set's stable name (the tags' scope).
    version_id : int
        The checked version (its rows get the tags).
    rows_checked, rows_against : int
    same_items : int
        Checked rows left out because they are the other set's own rows (same dataset, same key).
    spec : ContaminationSpec
    pairs : polars.DataFrame
        One row per contaminated row, :data:`PAIR_SCHEMA`, by score (highest first): the row, its
        text, the kind (strongest), every kind found (``"exact, near"``), the score (1 for exact,
        the cosine for near, the n-gram share for ngram), the cosine to its nearest row of the other
        set (NaN without vectors), the n-gram share, and the matching row (version, row id, key, text).
    notes : list of str
    """

    checked: str
    against: str
    scope: str
    version_id: int
    rows_checked: int
    rows_against: int
    same_items: int
    spec: ContaminationSpec
    pairs: pl.DataFrame
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Contaminated rows by their strongest kind."""
        found = self.pairs["kind"].to_list()
        return {k: found.count(k) for k in self.spec.kinds}

    def as_dict(self, top: int = 20) -> dict[str, Any]:
        """JSON-ready: the figures and the first ``top`` pairs."""
        return {
            "checked": self.checked,
            "against": self.against,
            "rows_checked": self.rows_checked,
            "rows_against": self.rows_against,
            "same_items_skipped": self.same_items,
            "threshold": self.spec.threshold,
            "ngram": self.spec.ngram,
            "kinds": list(self.spec.kinds),
            "contaminated": self.pairs.height,
            "by_kind": self.counts(),
            "pairs": [
                {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
                for row in self.pairs.head(top).to_dicts()
            ],
            "notes": self.notes,
        }


def _vectors(
    project: Project, check: RowSet, against: RowSet
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Both sets' vectors from the checked version's embedding set."""
    name = check.title.split(" ")[0]
    run = f"`strata run {project.path} --dataset {{}} --stages embed`"
    stage = latest_stage(project, check.version_id, "embed")
    if stage is None:
        raise StageInputError(
            f"{name} has no embeddings yet, and near copies compare embeddings: run {run.format(name)} "
            "first, or look for exact copies and n-gram overlap only (--kinds exact,ngram)."
        )
    params = stage.params
    set_id = find_set(project, params["model"], params["dtype"], params.get("backend", DEFAULT_BACKEND))
    if set_id is None:
        raise StageInputError(f"The embeddings of {name} are missing: run {run.format(name)} again.")
    checked = load_vectors(project, set_id, check.rows["_content_hash"].to_list())
    try:
        other = load_vectors(project, set_id, against.rows["_content_hash"].to_list())
    except StageInputError:
        v = get_version(project, against.version_id)
        raise StageInputError(
            f"{against.title} has texts with no embedding from {params['model']} (the model {name} was "
            f"embedded with): run {run.format(f'{v.dataset}:{v.number}')} with that model, or look for "
            "exact copies and n-gram overlap only (--kinds exact,ngram)."
        ) from None
    return checked, other


def check_contamination(
    project: Project,
    check: RowSet,
    against: RowSet,
    spec: ContaminationSpec | None = None,
    progress: Progress | None = None,
) -> ContaminationResult:
    """Find the rows of ``check`` that copy rows of ``against``.

    Parameters
    ----------
    check, against : RowSet
        :func:`analysis.slices.row_sets.resolve_row_set`. Rows of ``check`` that are rows of
        ``against`` themselves (same dataset, same row key) are left out: a version checked against
        its own test slice does not find its test rows.
    spec : ContaminationSpec, optional

    Returns
    -------
    ContaminationResult

    Raises
    ------
    StageInputError
        When near copies are asked for and either set's texts have no embeddings (the message says
        which ``strata run`` makes them).
    analysis.progress.Cancelled
        When the progress asks to stop (between steps).
    """
    spec = spec or ContaminationSpec()
    progress = progress or NullProgress()
    notes: list[str] = []
    rows = check.rows
    same = 0
    if check.dataset_id == against.dataset_id:
        rows = rows.filter(~pl.col("_row_key").is_in(against.rows["_row_key"].implode()))
        same = check.rows.height - rows.height
        if same:
            notes.append(f"{same:,} checked rows are rows of {against.title} itself and were left out")
    check = replace(check, rows=rows)
    vectors: tuple[NDArray[np.float32] | None, NDArray[np.float32] | None] = (None, None)
    if NEAR in spec.kinds and rows.height and against.rows.height:
        progress.message("Reading the embeddings")
        vectors = _vectors(project, check, against)
    check_cancel(progress)
    progress.message(f"Checking {rows.height:,} rows against {against.rows.height:,}")
    matches = find_matches(
        rows["text"].to_list(),
        against.rows["text"].to_list(),
        *vectors,
        threshold=spec.threshold,
        n=spec.ngram,
        kinds=spec.kinds,
    )
    found = np.flatnonzero(matches.found)
    other = against.rows[matches.match[found].tolist()] if found.size else against.rows.head(0)
    mine = rows[found.tolist()] if found.size else rows.head(0)
    pairs = pl.DataFrame(
        {
            "row_id": mine["_row_id"],
            "row_key": mine["_row_key"],
            "text": mine["text"],
            "kind": matches.kind[found].astype(str).tolist(),
            "kinds": [", ".join(matches.kinds[i]) for i in found],
            "score": matches.score()[found],
            "similarity": matches.similarity[found],
            "overlap": matches.overlap[found],
            "against": [against.title] * found.size,
            "match_version_id": other["version_id"],
            "match_row_id": other["_row_id"],
            "match_key": other["_row_key"],
            "match_text": other["text"],
        },
        schema=PAIR_SCHEMA,
    ).sort("score", "row_id", descending=[True, False], maintain_order=True)
    if NEAR not in spec.kinds:
        notes.append("near copies were not looked for")
    return ContaminationResult(
        check.title,
        against.title,
        against.scope,
        check.version_id,
        rows.height,
        against.rows.height,
        same,
        spec,
        pairs,
        notes,
    )


def _finite(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)


def tag_contamination(project: Project, result: ContaminationResult) -> int:
    """Tag the contaminated rows ``contaminated`` (source ``rule``), replacing this check's earlier tags.

    Each tag's score is the pair's score; its detail names the kind, every kind found, the other set,
    the matching row (version, row id, key) and the cosine similarity and n-gram share. Returns the
    number of rows tagged (0 removes the earlier tags of this check).
    """
    p = result.pairs
    details = [
        {
            "kind": r["kind"],
            "kinds": r["kinds"],
            "against": r["against"],
            "match_version_id": r["match_version_id"],
            "match_row_id": r["match_row_id"],
            "match_key": r["match_key"],
            "similarity": _finite(r["similarity"]),
            "overlap": _finite(r["overlap"]),
        }
        for r in p.iter_rows(named=True)
    ]
    return replace_rule_tags(
        project,
        result.version_id,
        TAG,
        result.scope,
        p["row_id"].to_numpy(),
        p["score"].to_numpy(),
        details,
        colour=TAG_COLOUR,
        description=TAG_DESCRIPTION,
        note=f"contamination check against {result.against}",
    )


def read_contamination(project: Project, version_id: int) -> pl.DataFrame:
    """The contaminated pairs stored on a version's rows (every check's tags), as a check returns them.

    Returns
    -------
    polars.DataFrame
        :data:`PAIR_SCHEMA`, by score (highest first); no rows when nothing is tagged.
    """
    tags = read_row_tags(project, version_id).filter((pl.col("tag") == TAG) & (pl.col("source") == "rule"))
    if tags.height == 0:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    details = [json.loads(d) for d in tags["detail"].to_list()]
    version = get_version(project, version_id)
    text = version.roles.get("text")
    texts = read_rows(project, version_id, [text] if isinstance(text, str) else [])
    frame = pl.DataFrame(
        {
            "row_id": tags["row_id"],
            "score": tags["score"],
            **{
                k: pl.Series([d.get(k) for d in details], dtype=PAIR_SCHEMA[k])
                for k in ("kind", "kinds", "against", "match_version_id", "match_row_id", "match_key")
            },
            "similarity": pl.Series([d.get("similarity") for d in details], dtype=pl.Float64).fill_null(
                np.nan
            ),
            "overlap": pl.Series([d.get("overlap") for d in details], dtype=pl.Float64).fill_null(0.0),
        }
    )
    own = texts.select(
        pl.col("_row_id").alias("row_id"),
        pl.col("_row_key").alias("row_key"),
        (pl.col(text).cast(pl.String) if isinstance(text, str) else pl.lit("")).alias("text"),
    )
    frame = frame.join(own, on="row_id", how="left", maintain_order="left")
    matched = []
    for match_version in frame["match_version_id"].drop_nulls().unique().to_list():
        other = get_version(project, match_version)
        other_text = other.roles.get("text")
        if isinstance(other_text, str):
            matched.append(
                read_rows(project, match_version, [other_text]).select(
                    pl.lit(match_version, dtype=pl.Int64).alias("match_version_id"),
                    pl.col("_row_id").alias("match_row_id"),
                    pl.col(other_text).cast(pl.String).alias("match_text"),
                )
            )
    match_texts = (
        pl.concat(matched)
        if matched
        else pl.DataFrame(
            schema={"match_version_id": pl.Int64, "match_row_id": pl.Int64, "match_text": pl.String}
        )
    )
    frame = frame.join(
        match_texts, on=["match_version_id", "match_row_id"], how="left", maintain_order="left"
    )
    return frame.select(list(PAIR_SCHEMA)).sort(
        "score", "row_id", descending=[True, False], maintain_order=True
    )
