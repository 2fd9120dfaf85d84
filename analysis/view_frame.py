"""The frame every view reads: a version's rows joined with predictions, map coordinates and clusters."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.errors.tag_counts import TagCount, tag_counts
from analysis.palette import class_order
from storage.generations import GENERATIVE, read_generations
from storage.project import Project
from storage.runs import Run, list_runs, read_predictions, read_probabilities
from storage.stage_outputs import ClusterInfo, latest_stage, read_clusters, read_coords, read_neighbours
from storage.tags import TagInfo, list_tags, read_row_tags
from storage.token_counts import read_token_counts
from storage.versions import get_version, list_versions, read_rows

# Each clustering's column in ``ViewFrame.rows`` (named after the stage that made it, one of
# storage.stage_outputs.CLUSTERING_STAGES) and its title.
CLUSTERING_TITLES = {
    "cluster": "Map (HDBSCAN)",
    "cluster_sphere": "Vectors (spherical k-means)",
}


@dataclass
class ViewFrame:
    """Everything a window shows about one version.

    Attributes
    ----------
    rows : polars.DataFrame
        One row per data row, ``_row_id`` 0…n-1, with the file's columns and, when a run exists,
        ``predicted``, ``confidence``, ``margin``, ``loss`` and ``correct``; ``cluster`` (HDBSCAN on
        the map, -1 for noise) and ``cluster_sphere`` (spherical k-means on the vectors, no noise),
        int64, each when that clustering exists.
    roles : dict
        Column roles of the version.
    coords : numpy.ndarray or None
        float32 (n, 2) map coordinates.
    clusters : list of ClusterInfo
        The ``cluster`` column's clusters (HDBSCAN on the map).
    sphere_clusters : list of ClusterInfo
        The ``cluster_sphere`` column's clusters (spherical k-means on the vectors).
    run_name : str or None
    run_kind : str or None
        ``classifier``, ``probe`` or ``generative``: a generative run adds ``response``,
        ``response_tokens``, its scores and ``correct`` (passed; null without a verdict) instead of the
        prediction columns.
    score_column : str or None
        The column of the generative run's first evaluator score.
    run_responses : polars.DataFrame
        Every generative run's answers (``run``, ``_row_id``, ``response``, ``correct``, ``score``),
        for the inspector's side-by-side view; empty without generative runs or when they hold more
        than :data:`SIDE_BY_SIDE_LIMIT` responses.
    tags : polars.DataFrame
        The version's row tags (``storage.tags.read_row_tags``).
    tag_info : list of TagInfo
        Every tag's definition (kind, colour, description), for :meth:`tag_counts`.
    """

    version_id: int
    rows: pl.DataFrame
    roles: dict[str, object]
    label_names: list[str]
    coords: NDArray[np.float32] | None = None
    clusters: list[ClusterInfo] = field(default_factory=list)
    run_name: str | None = None
    run_id: int | None = None
    class_names: list[str] = field(default_factory=list)
    probabilities: NDArray[np.float32] | None = None
    tags: pl.DataFrame = field(default_factory=pl.DataFrame)
    neighbours: NDArray[np.int32] | None = None
    tag_params: dict[str, object] = field(default_factory=dict)
    class_order: list[str] = field(default_factory=list)
    tag_info: list[TagInfo] = field(default_factory=list)
    sphere_clusters: list[ClusterInfo] = field(default_factory=list)
    run_kind: str | None = None
    run_responses: pl.DataFrame = field(default_factory=pl.DataFrame)
    score_column: str | None = None
    # every view that lists tags asks for these when a version is shown; counted once per tags read
    _tag_counts: list[TagCount] | None = field(default=None, init=False, repr=False, compare=False)

    def best_run(self) -> pl.Series | None:
        """Per row, the generative run with the highest first score (by pass verdict where a run has no
        scores), ``"tie"`` when several share the top, null where no run answered; None with fewer
        than two runs in :attr:`run_responses`.

        Returns
        -------
        polars.Series or None
            String, length n, named ``best run``.
        """
        answers = self.run_responses
        if answers.is_empty() or answers["run"].n_unique() < 2:
            return None
        value = pl.coalesce(pl.col("score"), pl.col("correct").cast(pl.Float64))
        ranked = answers.with_columns(value=value).filter(pl.col("value").is_not_null())
        top = ranked.filter(pl.col("value") == pl.col("value").max().over("_row_id"))
        best = top.group_by("_row_id").agg(
            pl.when(pl.len() > 1).then(pl.lit("tie")).otherwise(pl.col("run").first()).alias("best run")
        )
        rows = self.rows.select("_row_id").join(best, on="_row_id", how="left", maintain_order="left")
        return rows["best run"]

    def run_names(self) -> list[str]:
        """The generative runs of :attr:`run_responses`, oldest first."""
        return (
            []
            if self.run_responses.is_empty()
            else self.run_responses["run"].unique(maintain_order=True).to_list()
        )

    def clusterings(self) -> list[str]:
        """The clusterings this frame has, as their columns (keys of :data:`CLUSTERING_TITLES`)."""
        return [c for c in CLUSTERING_TITLES if c in self.rows.columns]

    def cluster_list(self, column: str) -> list[ClusterInfo]:
        """The clusters of the clustering in ``column`` (``cluster`` or ``cluster_sphere``).

        Raises
        ------
        KeyError
            For a column that holds no clustering.
        """
        if column not in CLUSTERING_TITLES:
            raise KeyError(f"'{column}' is not a clustering; clusterings: {', '.join(CLUSTERING_TITLES)}.")
        return self.sphere_clusters if column == "cluster_sphere" else self.clusters

    def reload_clusters(self, project: Project) -> None:
        """Re-read the clusters of both clusterings (their names, after a rename); the row labels
        stay, as a rename changes no membership."""
        self.clusters = read_clusters(project, self.version_id)[0]
        self.sphere_clusters = read_clusters(project, self.version_id, "cluster_sphere")[0]

    def tag_counts(self) -> list[TagCount]:
        """Distinct rows per tag on the version's rows, most frequent first (the error panel's and
        ``strata errors``' counts: :func:`analysis.errors.tag_counts.tag_counts`)."""
        if self._tag_counts is None:
            self._tag_counts = tag_counts(self.tags, self.rows.height, self.tag_info)
        return list(self._tag_counts)

    def tag_names(self) -> list[str]:
        """Tags present on the version's rows, most frequent (in distinct rows) first."""
        return [count.name for count in self.tag_counts()]

    def reload_tags(self, project: Project) -> None:
        """Re-read the version's row tags and the tag definitions (after a tag is created or applied)."""
        self.tags = read_row_tags(project, self.version_id)
        self.tag_info = list_tags(project)
        self._tag_counts = None

    def tag_mask(self, tag: str) -> NDArray[np.bool_]:
        """bool (n,): rows carrying ``tag`` (from any source)."""
        mask = np.zeros(self.rows.height, dtype=bool)
        if not self.tags.is_empty():
            mask[self.tags.filter(pl.col("tag") == tag)["row_id"].to_numpy()] = True
        return mask

    def describe_row(self, row_id: int) -> str:
        """A row in a few lines (the map's hover text): its text (at most 300 characters), label,
        prediction (✓ / ✗), cluster and tags."""
        row = self.rows.row(row_id, named=True)
        parts = []
        if self.text_column:
            text = str(row[self.text_column])
            parts.append(text if len(text) < 300 else text[:297] + "…")
        if self.label_column:
            parts.append(f"label: {row[self.label_column]}")
        mark = "" if row.get("correct") is None else (" ✓" if row["correct"] else " ✗")
        if "predicted" in row:
            parts.append(f"predicted: {row['predicted']}{mark}")
        if "response" in row:
            response = str(row["response"] or "")
            shown = response if len(response) < 200 else response[:197] + "…"
            parts.append(f"response{mark}: {shown}")
        for column, title in (("cluster", "cluster"), ("cluster_sphere", "vector cluster")):
            label = row.get(column)
            if label is not None and label >= 0:
                name = next((c.name for c in self.cluster_list(column) if c.label == label), "")
                parts.append(f"{title}: {name}")
        tags = self.tags
        if not tags.is_empty():
            names = sorted(set(tags.filter(pl.col("row_id") == row_id)["tag"].to_list()))
            if names:
                parts.append("tags: " + ", ".join(names))
        return "\n".join(parts)

    @property
    def text_column(self) -> str | None:
        """Name of the text column, if any."""
        value = self.roles.get("text")
        return value if isinstance(value, str) else None

    @property
    def label_column(self) -> str | None:
        """Name of the label column, if any."""
        value = self.roles.get("label")
        return value if isinstance(value, str) else None


def load_view_frame(
    project: Project, version_id: int, run_id: int | None = None, preview: ViewFrame | None = None
) -> ViewFrame:
    """Assemble the :class:`ViewFrame` of a version (the newest run unless ``run_id`` is given).

    ``preview``, the version's map read a moment before in the same job
    (:func:`analysis.frame_preview.load_map_preview`), lends its coordinates and map clusters, which
    are then not read twice (about 0.7 s at a million rows).
    """
    version = get_version(project, version_id)
    rows = read_rows(project, version_id)
    runs = list_runs(project, version_id)
    run = next((r for r in runs if r.run_id == run_id), runs[-1] if runs else None)
    label = version.roles.get("label")
    score_column = None
    shown: pl.DataFrame | None = None
    if run is not None and run.kind == GENERATIVE:
        scores = (run.details or {}).get("scores") or []
        score_column = (
            f"{scores[0]} (score)" if scores and scores[0] in rows.columns else (scores or [None])[0]
        )
        shown = read_generations(project, run.run_id)
        rows = join_generations(rows, shown)
    elif run is not None:
        rows = rows.join(
            read_predictions(project, run.run_id), on="_row_id", how="left", maintain_order="left"
        )
        if label:
            rows = rows.with_columns(correct=pl.col("predicted") == pl.col(label))
    lent = preview if preview is not None and preview.version_id == version_id else None
    if lent is not None:
        lent_labels = lent.rows["cluster"].to_numpy() if "cluster" in lent.rows.columns else None
        clusters, labels = lent.clusters, lent_labels
    else:
        clusters, labels = read_clusters(project, version_id)
    if labels is not None:
        rows = rows.with_columns(cluster=pl.Series(labels))
    rows = with_token_counts(rows, read_token_counts(project, version_id))
    sphere_clusters, sphere_labels = read_clusters(project, version_id, "cluster_sphere")
    if sphere_labels is not None:
        rows = rows.with_columns(cluster_sphere=pl.Series(sphere_labels))
    return ViewFrame(
        version_id=version_id,
        rows=rows,
        roles=version.roles,
        label_names=version.label_names,
        coords=lent.coords if lent is not None else read_coords(project, version_id),
        clusters=clusters,
        run_name=run.title if run else None,
        run_id=run.run_id if run else None,
        run_kind=run.kind if run else None,
        class_names=list(run.label_names) if run else list(version.label_names),
        probabilities=read_probabilities(project, run.run_id)
        if run is not None and run.has_probabilities
        else None,
        tags=read_row_tags(project, version_id),
        tag_info=list_tags(project),
        neighbours=read_neighbours(project, version_id),
        tag_params=dict(tag.params) if (tag := latest_stage(project, version_id, "tag")) else {},
        class_order=project_class_order(project, run.label_names if run else ()),
        sphere_clusters=sphere_clusters,
        run_responses=side_by_side(
            project, runs, version.rows, {run.run_id: shown} if run and shown is not None else {}
        ),
        score_column=score_column,
    )


SIDE_BY_SIDE_LIMIT = 2_000_000


def side_by_side(
    project: Project, runs: list[Run], n_rows: int, read: dict[int, pl.DataFrame] | None = None
) -> pl.DataFrame:
    """Every generative run's responses, verdicts and first scores, in long form (see
    :attr:`ViewFrame.run_responses`); ``read`` lends runs' generations already read (by run id)."""
    generative = [r for r in runs if r.kind == GENERATIVE]
    if not generative or len(generative) * n_rows > SIDE_BY_SIDE_LIMIT:
        return pl.DataFrame()
    read = read or {}
    parts = []
    for run in generative:
        scores = [str(s) for s in ((run.details or {}).get("scores") or [])[:1]]
        answered = read[run.run_id] if run.run_id in read else read_generations(project, run.run_id, scores)
        frame = answered.select(
            pl.lit(run.name).alias("run"),
            "_row_id",
            "response",
            pl.col("passed").alias("correct"),
            (pl.col(scores[0]) if scores else pl.lit(None, dtype=pl.Float64)).alias("score"),
        )
        parts.append(frame)
    return pl.concat(parts)


def join_generations(rows: pl.DataFrame, generations: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with a generative run's ``response``, ``response_tokens``, scores and ``correct`` (its
    verdict), from :func:`storage.generations.read_generations`; a score named like a column of the
    version is shown as ``<name> (score)``."""
    generations = generations.drop("response_hash").rename({"passed": "correct"})
    taken = set(rows.columns)
    renames = {c: f"{c} (score)" for c in generations.columns if c in taken and c != "_row_id"}
    return rows.join(generations.rename(renames), on="_row_id", how="left", maintain_order="left")


TOKEN_COLUMNS = ("text_tokens", "response_tokens", "total_tokens")


def with_token_counts(rows: pl.DataFrame, counts: NDArray[np.int32] | None) -> pl.DataFrame:
    """``rows`` with ``text_tokens`` (the ``tokens`` stage's counts) and, beside a run's
    ``response_tokens``, ``total_tokens`` (their sum; an unanswered row counts its text only)."""
    if counts is None or counts.size != rows.height or "text_tokens" in rows.columns:
        return rows
    rows = rows.with_columns(text_tokens=pl.Series(counts.astype(np.int64)))
    if "response_tokens" in rows.columns:
        rows = rows.with_columns(total_tokens=pl.col("text_tokens") + pl.col("response_tokens").fill_null(0))
    return rows


def project_class_order(project: Project, extra: Sequence[str] = ()) -> list[str]:
    """The project's classes in first-seen order: every version's label names (oldest first), then
    ``extra`` (a run's classes that no version names)."""
    return class_order([*(v.label_names for v in list_versions(project)), extra])


FrameSource = Callable[[int], ViewFrame]


FRAMES_KEPT = 4


def frame_cache(project: Project) -> FrameSource:
    """``version_id → ViewFrame`` for work that looks at several versions through several readers (the
    report, the Governance tab): the last :data:`FRAMES_KEPT` frames are kept, so a dataset of a few
    versions is read once, and one of many 1M-row versions does not hold them all in memory."""
    return functools.lru_cache(maxsize=FRAMES_KEPT)(lambda version_id: load_view_frame(project, version_id))
