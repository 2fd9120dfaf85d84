"""Stage ``tag``: score every row of a version for each automatic error mode, with provenance.

Each tag is written as a ``row_tag`` with ``source="auto"``, the stage key, a score and a detail
(suggested label, cluster name, duplicate group…). A new tag run replaces the version's previous
automatic tags in the same transaction; human tags are never touched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import delete, select

from analysis.catalog import list_runs, read_predictions, read_probabilities
from analysis.errors.duplicates import exact_duplicate_groups, near_duplicate_groups, split_leaks
from analysis.errors.label_issues import find_issues, probe_probabilities
from analysis.errors.spec import MODES, TagSpec
from analysis.errors.statistics import annotator_disagreement, error_dense_clusters, knn_distance_outliers
from analysis.progress import check_cancel
from storage.rows import execute_many
from storage.schema import RowTag, StageResult, Tag

if TYPE_CHECKING:
    from analysis.pipeline.context import StageContext

PROBE = "probe: 5-fold logistic regression on the embeddings"


@dataclass
class TagBatch:
    """Tags of one mode: row ids, scores and an optional detail per row."""

    mode: str
    rows: NDArray[np.int64]
    scores: NDArray[np.float64]
    details: list[dict[str, Any] | None] = field(default_factory=list)


def _batch(
    mode: str, mask: NDArray[np.bool_], scores: NDArray[np.float64], details: list[Any] | None = None
) -> TagBatch:
    rows = np.flatnonzero(mask).astype(np.int64)
    chosen = [details[i] for i in rows] if details is not None else []
    return TagBatch(mode, rows, np.asarray(scores, dtype=np.float64)[rows], chosen)


def _model_modes(ctx: StageContext, spec: TagSpec, batches: list[TagBatch], notes: list[str]) -> None:
    """misclassified, low_margin, high_loss and label_issue, from the newest model run."""
    run_id = ctx.run_id()
    label_col = ctx.version.roles.get("label")
    if run_id is None or not isinstance(label_col, str):
        notes.append("no model run with labels: model-based modes skipped")
        return
    run = next(r for r in list_runs(ctx.project, ctx.version_id) if r.id == run_id)
    classes = list(run.label_names)
    index = {c: i for i, c in enumerate(classes)}
    given = ctx.read_columns([label_col])[label_col].cast(pl.String).to_list()
    labels = np.array([index.get(g, -1) if g is not None else -1 for g in given], dtype=np.int64)
    labelled = labels >= 0
    preds = read_predictions(ctx.project, run_id)
    predicted = preds["predicted"].to_list()
    loss = preds["loss"].fill_null(np.nan).to_numpy()
    margin = preds["margin"].fill_null(np.nan).to_numpy()
    wrong = labelled & np.array([p != g for p, g in zip(predicted, given, strict=True)])
    wanted = set(spec.modes)
    if "misclassified" in wanted:
        batches.append(_batch("misclassified", wrong, np.where(np.isnan(loss), 1.0, loss)))
    if "low_margin" in wanted and not np.isnan(margin).all():
        batches.append(
            _batch(
                "low_margin", np.nan_to_num(margin, nan=1.0) < spec.low_margin, 1.0 - np.nan_to_num(margin)
            )
        )
    if "high_loss" in wanted and not np.isnan(loss).all():
        batches.append(_batch("high_loss", np.nan_to_num(loss) >= spec.high_loss, np.nan_to_num(loss)))
    ctx.memo_set("wrong", wrong)
    if "label_issue" not in wanted or labelled.sum() < 10:
        return
    stored = read_probabilities(ctx.project, run_id)
    probs = None if stored is None else stored.astype(np.float64)
    source = "model probabilities"
    if probs is None:
        if not ctx.has_text:
            notes.append("label_issue skipped: the run has no probabilities and there is no text for a probe")
            return
        probs = probe_probabilities(ctx.vectors()[labelled], labels[labelled], len(classes))
        full = np.zeros((len(labels), len(classes)))
        full[labelled] = probs
        probs, source = full, PROBE
    method = spec.label_issue_method if ctx.has_text else "confident_learning"
    graph = ctx.graph()[0] if ctx.has_text else None
    rows = np.flatnonzero(labelled)
    sub_graph = None
    if graph is not None:
        # Neighbours are renumbered into the labelled rows; unlabelled neighbours (-1) do not vote.
        remap = np.full(len(labels), -1, dtype=np.int64)
        remap[rows] = np.arange(rows.size)
        sub_graph = remap[graph[rows]].astype(np.int32)
    issues = find_issues(method, labels[rows], probs[rows], sub_graph, len(classes), spec.knn_threshold)
    mask = np.zeros(len(labels), dtype=bool)
    mask[rows] = issues.mask
    score = np.zeros(len(labels))
    score[rows] = issues.score
    details: list[Any] = [None] * len(labels)
    for local, row in enumerate(rows):
        if issues.mask[local]:
            details[row] = {
                "suggested": classes[int(issues.suggested[local])],
                "method": method,
                "probabilities": source,
            }
    batches.append(_batch("label_issue", mask, score, details))
    if source == PROBE:
        notes.append("label issues scored with " + PROBE)


def _data_modes(ctx: StageContext, spec: TagSpec, batches: list[TagBatch]) -> None:
    """Duplicates, leaks, outliers, noise, error-dense clusters and annotator disagreement."""
    wanted = set(spec.modes)
    hashes = ctx.rows["_content_hash"].to_list()
    exact = exact_duplicate_groups(hashes)
    if "exact_duplicate" in wanted:
        batches.append(
            _batch("exact_duplicate", exact >= 0, np.ones(len(hashes)), [{"group": int(g)} for g in exact])
        )
    near = np.full(len(hashes), -1, dtype=np.int64)
    if ctx.has_text:
        idx, dist = ctx.graph()
        near, best = near_duplicate_groups(idx, dist, spec.near_duplicate_similarity)
        distinct = pl.DataFrame({"g": near, "h": hashes}).group_by("g").agg(pl.col("h").n_unique().alias("k"))
        multi = set(distinct.filter((pl.col("g") >= 0) & (pl.col("k") > 1))["g"].to_list())
        if "near_duplicate" in wanted:
            batches.append(
                _batch("near_duplicate", np.isin(near, list(multi)), best, [{"group": int(g)} for g in near])
            )
        if "outlier" in wanted:
            mask, score = knn_distance_outliers(dist, spec.outlier_share)
            batches.append(_batch("outlier", mask, score))
        clusters = ctx.cluster_labels()
        if "cluster_noise" in wanted:
            batches.append(_batch("cluster_noise", clusters < 0, np.ones(len(hashes))))
        wrong = ctx.memo_get("wrong")
        if "error_cluster" in wanted and wrong is not None:
            label_col = str(ctx.version.roles.get("label"))
            labelled = ctx.read_columns([label_col])[label_col].is_not_null().to_numpy()
            tests = error_dense_clusters(
                np.where(labelled, clusters, -1),
                wrong,
                spec.error_cluster_alpha,
            )
            dense = {t.label: t for t in tests if t.q_value < spec.error_cluster_alpha}
            names = ctx.cluster_names()
            mask = np.isin(clusters, list(dense))
            details = [
                {
                    "cluster": names.get(int(c), str(c)),
                    "error_rate": round(dense[int(c)].error_rate, 4),
                    "q_value": dense[int(c)].q_value,
                }
                if int(c) in dense
                else None
                for c in clusters
            ]
            rates = np.array([dense[int(c)].error_rate if int(c) in dense else 0.0 for c in clusters])
            batches.append(_batch("error_cluster", mask, rates, details))
    split_col = ctx.version.roles.get("split")
    if "split_leak" in wanted and isinstance(split_col, str):
        splits = ctx.read_columns([split_col])[split_col].cast(pl.String).to_list()
        leak = split_leaks(exact, splits) | split_leaks(near, splits)
        batches.append(_batch("split_leak", leak, np.ones(len(hashes))))
    if "disagreement" in wanted:
        roles = ctx.version.roles
        conf_col = roles.get("label_confidence")
        columns = [c for c in [roles.get("label"), *(roles.get("annotators") or [])] if isinstance(c, str)]
        if len(columns) >= 2 or isinstance(conf_col, str):
            frame = ctx.read_columns(columns + ([conf_col] if isinstance(conf_col, str) else []))
            votes = [frame[c].cast(pl.String).to_list() for c in columns] if len(columns) >= 2 else []
            confidence = frame[conf_col].cast(pl.Float64).to_numpy() if isinstance(conf_col, str) else None
            mask, score = annotator_disagreement(votes, confidence, spec.min_annotator_confidence)
            batches.append(_batch("disagreement", mask, score))


def tag_stage(ctx: StageContext) -> str:
    """Run the ``tag`` stage on the context's version and store its row tags; returns a summary."""
    start = time.perf_counter()
    spec = ctx.spec.tag
    unknown = set(spec.modes) - set(MODES)
    if unknown:
        from storage.errors import StageInputError

        raise StageInputError(f"Unknown error mode(s) {sorted(unknown)}; modes are {', '.join(MODES)}.")
    batches: list[TagBatch] = []
    notes: list[str] = []
    ctx.progress.message("Tagging error modes")
    _model_modes(ctx, spec, batches, notes)
    check_cancel(ctx.progress)
    _data_modes(ctx, spec, batches)
    check_cancel(ctx.progress)
    key = ctx.key("tag")
    with ctx.project.session() as s:
        tag_ids = ensure_tags(s)
        s.execute(delete(RowTag).where(RowTag.version_id == ctx.version_id, RowTag.source == "auto"))
        s.execute(
            delete(StageResult).where(StageResult.version_id == ctx.version_id, StageResult.stage == "tag")
        )
        ctx.record(s, "tag", time.perf_counter() - start)
        rows = [
            (
                ctx.version_id,
                int(r),
                tag_ids[b.mode],
                "auto",
                float(sc),
                "strata",
                "; ".join(notes),
                key,
                _json(b.details[i] if b.details else None),
            )
            for b in batches
            for i, (r, sc) in enumerate(zip(b.rows, b.scores, strict=True))
        ]
        execute_many(
            s.connection(),
            "INSERT INTO row_tag (version_id, row_id, tag_id, source, score, author, note, stage_key, "
            "detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)",
            rows,
        )
    counts = ", ".join(f"{b.mode} {b.rows.size:,}" for b in batches if b.rows.size)
    return counts or "no error modes found"


def _json(value: dict[str, Any] | None) -> str | None:
    import json

    return None if value is None else json.dumps(value)


def ensure_tags(session: Any) -> dict[str, int]:
    """Create the automatic error-mode tags if missing; return name → tag id."""
    existing = dict(session.execute(select(Tag.name, Tag.id)).all())
    for name, (colour, description) in MODES.items():
        if name not in existing:
            tag = Tag(name=name, colour=colour, description=description, kind="error_mode")
            session.add(tag)
            session.flush()
            existing[name] = tag.id
    return {str(k): int(v) for k, v in existing.items()}
