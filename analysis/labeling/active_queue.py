"""The label queue of a stored version: the rows to label next, ranked by an active-learning strategy
(:mod:`analysis.labeling.active`), with the model's (or the probe's) top class as the suggestion.

:func:`build_queue` reads what the strategy needs from the project: the newest model run with class
probabilities (a probe run when the version has labels and no model of its own), the version's
clustering from the pipeline (``cluster_sphere``, else ``cluster``; k-means on the embeddings
when it has none) and, for ActiveLab, the annotators' labels. :func:`send_to_review`
stores the queue as rule tags :data:`QUEUE_TAG` in rank order, so the review queue walks it
(:class:`analysis.versions.review.ReviewQueue`): accepting or choosing labels and saving makes the
next version (:mod:`analysis.versions.relabel`), whose probe is retrained by the next pipeline run
(the probe stage's key includes the labels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.labeling.active import (
    DEFAULT_STRATEGY,
    QUEUE_TAG,
    ROW_SETS,
    STRATEGIES,
    LabelPool,
    Ranking,
    rank_rows,
)
from analysis.labeling.active_scoring import kmeans_clusters
from analysis.labeling.matrix import annotation_matrix
from analysis.progress import NullProgress, Progress
from storage.annotations import read_annotations, tag_for_review
from storage.embeddings import version_vectors
from storage.errors import InputError, StageInputError
from storage.project import Project
from storage.runs import Run, list_runs, read_predictions, read_probabilities
from storage.stage_outputs import read_clusters
from storage.versions import Version, get_version, read_rows

QUEUE_NOTE = "Rows to label next (active learning queue); suggestion: the model's or the probe's top class"


@dataclass(frozen=True)
class QueueSpec:
    """What to queue.

    Attributes
    ----------
    strategy : str
        A name in :data:`analysis.labeling.active.STRATEGIES`.
    size : int
        How many rows.
    rows : str or None
        Which rows may be queued: ``unlabelled`` (empty label cells), ``labelled`` (labels to
        re-check) or ``all``; None: ``all`` for ``activelab`` (it ranks rows to label again too),
        ``unlabelled`` otherwise.
    run : str or None
        The model run whose probabilities rank the rows; None: the newest run with probabilities.
    seed : int
        Seed of random choices (``random``).
    """

    strategy: str = DEFAULT_STRATEGY
    size: int = 50
    rows: str | None = None
    run: str | None = None
    seed: int = 0

    @property
    def row_set(self) -> str:
        """The rows that may be queued, resolved."""
        return self.rows or ("all" if self.strategy == "activelab" else "unlabelled")


@dataclass(frozen=True)
class LabelQueue:
    """A ranked queue of rows to label.

    Attributes
    ----------
    version_id : int
    version_name : str
        ``dataset:number``.
    strategy : str
    rows : numpy.ndarray
        int64 (s,): ``_row_id`` of the rows to label, first first.
    scores : numpy.ndarray
        float64 (s,): the strategy's score of each (:class:`analysis.labeling.active.Ranking`).
    suggested : list of str or None
        Length s: the run's predicted class of each row (None without a run).
    texts : list of str
        Length s: each row's text (its key when the version has no text column).
    given : list of str or None
        Length s: each row's current label (None: unlabelled).
    run : str or None
        The run that gave the probabilities and suggestions.
    candidates : int
        How many rows could have been queued.
    clusters_from : str
        Where ``diversity`` and ``mix`` took the clusters from ('' when not used).
    notes : tuple of str
        What the user should know (a probe older than the labels, no suggestions).
    """

    version_id: int
    version_name: str
    strategy: str
    rows: NDArray[np.int64]
    scores: NDArray[np.float64]
    suggested: list[str | None]
    texts: list[str]
    given: list[str | None]
    run: str | None
    candidates: int
    clusters_from: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``strata queue --json``)."""
        return {
            "version": self.version_name,
            "strategy": self.strategy,
            "run": self.run,
            "candidates": self.candidates,
            "clusters": self.clusters_from or None,
            "notes": list(self.notes),
            "rows": [
                {"row_id": int(r), "text": t, "label": g, "suggested": s, "score": round(float(sc), 6)}
                for r, t, g, s, sc in zip(
                    self.rows, self.texts, self.given, self.suggested, self.scores, strict=True
                )
            ],
        }


def _probability_run(project: Project, version: Version, name: str | None) -> Run | None:
    """The named run, else the newest with probabilities, else the newest (None without runs).

    Raises
    ------
    InputError
        When ``name`` is given and the version has no run of that name.
    """
    runs = list_runs(project, version.version_id)
    if name is not None:
        found = [r for r in runs if r.name == name]
        if not found:
            known = ", ".join(r.name for r in runs) or "none"
            raise InputError(f"{version.dataset}:{version.number} has no model run '{name}' (runs: {known}).")
        return found[0]
    with_probabilities = [r for r in runs if r.has_probabilities]
    chosen = with_probabilities or runs
    return chosen[-1] if chosen else None


def _clusters(
    project: Project, version_id: int, vectors: NDArray[np.float32] | None, progress: Progress
) -> tuple[NDArray[np.int64], str]:
    """The version's clustering from the pipeline, or k-means on its embeddings."""
    for stage in ("cluster_sphere", "cluster"):
        _, labels = read_clusters(project, version_id, stage)
        if labels is not None:
            return labels, f"the '{stage}' stage"
    if vectors is None:
        raise StageInputError("This version has no embeddings yet: run the pipeline (strata run) first.")
    progress.message(f"Clustering {len(vectors):,} embeddings (k-means): the pipeline made no clusters")
    labels = kmeans_clusters(vectors)
    return labels, f"k-means on the embeddings (k = {int(labels.max()) + 1})"


def _annotations(project: Project, version: Version, run: Run) -> NDArray[np.float64]:
    """float64 (n, a): each annotator's first label of each row as a class index of ``run``, NaN where
    none.

    Raises
    ------
    InputError
        With fewer than two annotators, or annotators' labels that are not classes of the run.
    """
    name = f"{version.dataset}:{version.number}"
    frame = read_annotations(project, version.version_id)
    if frame["annotator"].n_unique() < 2:
        raise InputError(
            f"ActiveLab needs several annotators' labels and {name} has "
            f"{'one annotator' if frame.height else 'none'}: import them with --annotator-cols (one "
            "column each) or --annotator (one row per item × annotator), or use another --strategy."
        )
    matrix = annotation_matrix(frame)
    unknown = sorted(set(matrix.labels) - set(run.label_names))
    if unknown:
        raise InputError(
            f"The annotators' labels {unknown[:5]} are not classes of the run '{run.name}'; ActiveLab "
            "needs a run (or probe) over the same classes."
        )
    column = np.array([run.label_names.index(x) for x in matrix.labels], dtype=np.float64)
    out = np.full((version.rows, len(matrix.annotators)), np.nan)
    out[matrix.row_ids] = np.where(matrix.codes >= 0, column[np.maximum(matrix.codes, 0)], np.nan)
    return out


def _no_probabilities(name: str, strategy: str, project: Project) -> InputError:
    return InputError(
        f"{name} has no model run or probe with class probabilities, which the '{strategy}' strategy "
        f"needs. Run `strata run {project.path} --probe always`: a probe learns from the labelled rows "
        "(at least two classes with two labelled rows each). Or queue with --strategy diversity or "
        "random, which need no model."
    )


def build_queue(
    project: Project, version_id: int, spec: QueueSpec, progress: Progress | None = None
) -> LabelQueue:
    """Rank a version's rows to label by ``spec.strategy`` and return the first ``spec.size``.

    Parameters
    ----------
    project : storage.project.Project
    version_id : int
    spec : QueueSpec
    progress : analysis.progress.Progress, optional
        Told about the k-means fallback (the only step that takes seconds).

    Returns
    -------
    LabelQueue

    Raises
    ------
    storage.errors.InputError
        When the strategy or row set is unknown, no row may be queued (every row labelled, say), or
        the strategy needs what the version lacks (a run with probabilities, several annotators);
        each message says what to do. A version without a label column is all unlabelled rows (its
        queue can be listed but its labels not saved: a note says so).
    storage.errors.StageInputError
        When the strategy needs the embeddings (``diversity``, ``mix``) and the version has none.
    """
    progress = progress or NullProgress()
    strategy = STRATEGIES.get(spec.strategy)
    if strategy is None:
        raise InputError(f"Unknown strategy '{spec.strategy}'; use one of {', '.join(STRATEGIES)}.")
    if spec.row_set not in ROW_SETS:
        raise InputError(f"Unknown row set '{spec.row_set}'; use one of {', '.join(ROW_SETS)}.")
    version = get_version(project, version_id)
    name = f"{version.dataset}:{version.number}"
    label, text = version.roles.get("label"), version.roles.get("text")
    columns = [c for c in dict.fromkeys((label, text)) if isinstance(c, str)]
    rows = read_rows(project, version_id, columns)
    if isinstance(label, str):
        given = [g if g is not None and g.strip() else None for g in rows[label].cast(pl.String).to_list()]
    else:  # every row is still to label; the queue can be listed, not saved as labels
        given = [None] * rows.height
    labelled = np.array([g is not None for g in given], dtype=bool)
    wanted = {"unlabelled": ~labelled, "labelled": labelled, "all": np.ones_like(labelled)}[spec.row_set]
    candidates = np.flatnonzero(wanted).astype(np.int64)
    if candidates.size == 0:
        raise InputError(_nothing_to_queue(name, spec.row_set, int(labelled.sum())))

    run = _probability_run(project, version, spec.run)
    probabilities = read_probabilities(project, run.run_id) if run is not None else None
    if "probabilities" in strategy.needs and probabilities is None:
        raise _no_probabilities(name, spec.strategy, project)
    vectors = None
    if "vectors" in strategy.needs or "clusters" in strategy.needs:
        try:
            vectors = version_vectors(project, version_id, rows["_content_hash"].to_list())
        except StageInputError:
            if "vectors" in strategy.needs:
                raise
    if "clusters" in strategy.needs:
        clusters, clusters_from = _clusters(project, version_id, vectors, progress)
    else:
        clusters, clusters_from = None, ""
    annotations = (
        _annotations(project, version, run) if "annotations" in strategy.needs and run is not None else None
    )
    pool = LabelPool(candidates, labelled, probabilities, clusters, vectors, annotations)
    ranking = rank_rows(pool, spec.strategy, spec.size, spec.seed)
    return _queue(
        project, version, spec, ranking, run, given, rows, text, int(candidates.size), clusters_from
    )


def _nothing_to_queue(name: str, row_set: str, labelled: int) -> str:
    if row_set == "unlabelled":
        return (
            f"Every row of {name} is labelled ({labelled:,}): no row to queue. Use --rows labelled to rank "
            "the labels to re-check, or import rows with empty label cells for the rows still to label."
        )
    return f"{name} has no {row_set} rows to queue ({labelled:,} labelled)."


def _queue(
    project: Project,
    version: Version,
    spec: QueueSpec,
    ranking: Ranking,
    run: Run | None,
    given: list[str | None],
    rows: pl.DataFrame,
    text: object,
    candidates: int,
    clusters_from: str,
) -> LabelQueue:
    picked = ranking.rows.tolist()
    notes: list[str] = []
    if not isinstance(version.roles.get("label"), str):
        notes.append(
            f"{version.dataset}:{version.number} has no label column, so labels given in review cannot be "
            "saved as a version: import the file with --label COLUMN (empty cells for the rows to label)"
        )
    if run is None:
        suggested: list[str | None] = [None] * len(picked)
        notes.append("no model run or probe: no suggested labels (`strata run --probe always` makes a probe)")
    else:
        predicted = read_predictions(project, run.run_id)["predicted"].to_list()
        suggested = [predicted[r] for r in picked]
        trained_on = (run.details or {}).get("labelled_rows") if run.kind == "probe" else None
        labelled = sum(g is not None for g in given)
        if trained_on is not None and int(trained_on) != labelled:
            notes.append(
                f"the probe learnt from {int(trained_on):,} labelled rows and the version has {labelled:,}: "
                "run `strata run` to retrain it on the new labels before the next round"
            )
    texts_column = text if isinstance(text, str) else "_row_key"
    texts = [str(t) for t in rows[texts_column].gather(ranking.rows).to_list()]
    return LabelQueue(
        version_id=version.version_id,
        version_name=f"{version.dataset}:{version.number}",
        strategy=spec.strategy,
        rows=ranking.rows,
        scores=ranking.scores,
        suggested=suggested,
        texts=texts,
        given=[given[r] for r in picked],
        run=run.name if run is not None else None,
        candidates=candidates,
        clusters_from=clusters_from,
        notes=tuple(notes),
    )


def send_to_review(project: Project, queue: LabelQueue) -> int:
    """Store ``queue`` as the review queue of :data:`QUEUE_TAG` on its version, in rank order.

    The rows become rule tags whose score falls with the rank (1 for the first row, down to 1/s), so
    the review queue (highest score first) walks them in the strategy's order, each with its
    suggested label. A new queue replaces the version's earlier one (human tags are kept).

    Returns
    -------
    int
        Rows queued.
    """
    s = len(queue.rows)
    priority = (s - np.arange(s)) / max(s, 1)
    return tag_for_review(
        project,
        queue.version_id,
        QUEUE_TAG,
        queue.rows.tolist(),
        priority.tolist(),
        queue.suggested,
        description=f"{QUEUE_NOTE}; strategy {queue.strategy}",
    )
