"""Annotator agreement of a version: every measure in one result object, for ``strata agreement`` and
the agreement view.

:func:`compute_agreement` is pure (annotations in, result out); :func:`agreement_for_version` reads a
version's annotations, its label scale and, when there is one, a model run's probabilities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.labeling.agreement import (
    cohen_kappa_pairs,
    fleiss_kappa,
    krippendorff_alpha,
    observed_agreement,
    specific_agreement,
)
from analysis.labeling.consensus import VOTES, crowdlab, disagreements
from analysis.labeling.matrix import AnnotationMatrix, annotation_matrix
from storage.annotations import read_annotations
from storage.errors import InputError
from storage.project import Project
from storage.runs import list_runs, read_probabilities
from storage.versions import get_version, read_rows


@dataclass(frozen=True)
class AgreementResult:
    """Agreement of m annotators on n rows over k labels.

    Attributes
    ----------
    version_id : int
        The version measured (0 when computed from a frame alone).
    annotators, labels : tuple of str
        The m annotators and the k labels (scale order; ``ordered_by`` says how it was found).
    rows, annotations, pairable : int
        Rows with a label, labels counted (each annotator's first per row), rows with two or more.
    alpha_nominal, alpha_ordinal, fleiss, observed : float
        Krippendorff's alpha (nominal, ordinal), Fleiss' kappa, mean pairwise agreement.
    cohen, shared : numpy.ndarray
        float64 (m, m) Cohen's kappa per pair (NaN where undefined) and int64 (m, m) rows shared.
    specific : numpy.ndarray
        float64 (k,) specific agreement per label.
    label_counts : numpy.ndarray
        int64 (k,) labels given per label.
    annotator_table : polars.DataFrame
        One row per annotator: ``annotator``, ``rows`` (labelled), ``quality`` (CROWDLAB),
        ``agreement`` (with the consensus), ``mean_kappa`` (mean Cohen's kappa with the others),
        ``worst_class``.
    consensus : polars.DataFrame
        ``row_id``, ``consensus`` (label), ``quality`` (CROWDLAB), ``agreement`` (share agreeing),
        ``annotators`` (count).
    disagreements : polars.DataFrame
        Ranked by :func:`analysis.labeling.consensus.disagreements`, with ``text`` (the row's text
        or key) added by :func:`agreement_for_version`.
    probabilities_source : str
        ``votes`` (smoothed vote shares) or the model run used by CROWDLAB.
    colour_indices : numpy.ndarray
        int64 (k,): each label's palette index (its place in the version's classes where it is one).
    repeats, repeats_same : int
        Repeat annotations set aside, and how many repeat the first label (intra-annotator).
    notes : tuple of str
    """

    version_id: int
    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    ordered_by: str
    rows: int
    annotations: int
    pairable: int
    alpha_nominal: float
    alpha_ordinal: float
    fleiss: float
    observed: float
    cohen: NDArray[np.float64]
    shared: NDArray[np.int64]
    specific: NDArray[np.float64]
    label_counts: NDArray[np.int64]
    annotator_table: pl.DataFrame
    consensus: pl.DataFrame
    disagreements: pl.DataFrame
    probabilities_source: str = VOTES
    colour_indices: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    repeats: int = 0
    repeats_same: int = 0
    notes: tuple[str, ...] = ()

    def as_dict(self, top: int = 20) -> dict[str, Any]:
        """Plain JSON-ready values (NaN as None); ``top`` most-disagreed rows."""

        def num(x: float) -> float | None:
            return None if math.isnan(x) else round(float(x), 6)

        return {
            "version": self.version_id,
            "annotators": list(self.annotators),
            "labels": list(self.labels),
            "label_order": self.ordered_by,
            "rows": self.rows,
            "annotations": self.annotations,
            "rows_with_two_or_more": self.pairable,
            "krippendorff_alpha": {"nominal": num(self.alpha_nominal), "ordinal": num(self.alpha_ordinal)},
            "fleiss_kappa": num(self.fleiss),
            "observed_agreement": num(self.observed),
            "cohen_kappa": {
                a: {b: num(self.cohen[i, j]) for j, b in enumerate(self.annotators) if j != i}
                for i, a in enumerate(self.annotators)
            },
            "rows_shared": {
                a: {b: int(self.shared[i, j]) for j, b in enumerate(self.annotators) if j != i}
                for i, a in enumerate(self.annotators)
            },
            "per_label": [
                {
                    "label": x,
                    "annotations": int(self.label_counts[i]),
                    "specific_agreement": num(self.specific[i]),
                }
                for i, x in enumerate(self.labels)
            ],
            "annotator_quality": [
                {k: (num(v) if isinstance(v, float) else v) for k, v in r.items()}
                for r in self.annotator_table.to_dicts()
            ],
            "probabilities": self.probabilities_source,
            "repeats": {"count": self.repeats, "same_as_first": self.repeats_same},
            "most_disagreement": [
                {k: (num(v) if isinstance(v, float) else v) for k, v in r.items()}
                for r in self.disagreements.head(top).to_dicts()
            ],
            "notes": list(self.notes),
        }


def compute_agreement(
    annotations: pl.DataFrame,
    scale: list[str] | None = None,
    probabilities: NDArray[np.float64] | None = None,
    probability_source: str = VOTES,
    *,
    version_id: int = 0,
    class_order: list[str] | None = None,
) -> AgreementResult:
    """Every agreement measure of a set of annotations.

    Parameters
    ----------
    annotations : polars.DataFrame
        ``row_id``, ``annotator``, ``label``, earliest first (:func:`storage.annotations.read_annotations`).
    scale : list of str, optional
        The labels' order for ordinal alpha and the views (:func:`analysis.labeling.matrix.label_order`).
    probabilities : numpy.ndarray, optional
        float (N, k') class probabilities of a model on every row of the version (row ``r`` at
        index ``r``), columns in ``class_order``; default: the vote shares (see
        :mod:`analysis.labeling.consensus`).
    probability_source : str
        The run the probabilities come from.
    version_id : int
        Recorded in the result.
    class_order : list of str, optional
        The version's classes (the columns of ``probabilities``, and the palette order).

    Returns
    -------
    AgreementResult

    Raises
    ------
    InputError
        When there are no annotations, fewer than two annotators, or no row with two labels.
    """
    matrix = annotation_matrix(annotations, scale)
    if len(matrix.annotators) < 2:
        raise InputError(
            f"Agreement needs two annotators or more; the annotations name one ({matrix.annotators[0]})."
        )
    if not (matrix.counts.sum(axis=1) >= 2).any():
        raise InputError(
            f"Every one of the {len(matrix.counts):,} rows is labelled by one annotator, so there is no "
            "agreement to measure. Check that the id groups an item's annotations (with several columns "
            "if need be, e.g. --id conv_id,user)."
        )
    notes: list[str] = []
    if matrix.ordered_by == "name":
        notes.append(
            f"ordinal alpha takes the labels in the order {' < '.join(matrix.labels)} (by name); "
            "read it only if that is their order"
        )
    counts = matrix.counts
    cohen, shared = cohen_kappa_pairs(matrix)
    probs = _aligned(probabilities, matrix, class_order or [])
    consensus = crowdlab(matrix, probs, probability_source if probs is not None else VOTES)
    notes += list(consensus.notes)
    order = {c: i for i, c in enumerate(class_order or matrix.labels)}
    colour = np.array([order.get(x, len(order) + i) for i, x in enumerate(matrix.labels)], dtype=np.int64)
    off_diagonal = np.where(np.eye(len(matrix.annotators), dtype=bool), np.nan, cohen)
    with np.errstate(invalid="ignore"):
        mean_kappa = [float(np.nanmean(r)) if np.isfinite(r).any() else float("nan") for r in off_diagonal]
    annotator_table = pl.DataFrame(
        {
            "annotator": list(matrix.annotators),
            "rows": np.diag(shared).astype(np.int64),
            "quality": consensus.annotator_quality,
            "agreement": consensus.annotator_agreement,
            "mean_kappa": mean_kappa,
            "worst_class": [matrix.labels[c] for c in consensus.worst_class],
        }
    ).sort("quality", descending=True)
    return AgreementResult(
        version_id=version_id,
        annotators=matrix.annotators,
        labels=matrix.labels,
        ordered_by=matrix.ordered_by,
        rows=len(matrix.row_ids),
        annotations=int(counts.sum()),
        pairable=int((matrix.per_row >= 2).sum()),
        alpha_nominal=krippendorff_alpha(matrix, "nominal"),
        alpha_ordinal=krippendorff_alpha(matrix, "ordinal"),
        fleiss=fleiss_kappa(counts),
        observed=observed_agreement(counts),
        cohen=cohen,
        shared=shared,
        specific=specific_agreement(counts),
        label_counts=counts.sum(axis=0).astype(np.int64),
        annotator_table=annotator_table,
        consensus=pl.DataFrame(
            {
                "row_id": matrix.row_ids,
                "consensus": [matrix.labels[c] for c in consensus.label],
                "quality": consensus.quality,
                "agreement": consensus.agreement,
                "annotators": matrix.per_row,
            }
        ),
        disagreements=disagreements(matrix, consensus),
        probabilities_source=consensus.source,
        colour_indices=colour,
        repeats=matrix.repeats,
        repeats_same=matrix.repeats_same,
        notes=tuple(notes),
    )


def _aligned(
    probabilities: NDArray[np.float64] | None, matrix: AnnotationMatrix, classes: list[str]
) -> NDArray[np.float64] | None:
    """The probabilities of the matrix's rows with columns in the order of its labels, renormalised;
    None when some label is not a class of the run."""
    if probabilities is None or not set(matrix.labels) <= set(classes):
        return None
    columns = [classes.index(x) for x in matrix.labels]
    picked = np.asarray(probabilities, dtype=np.float64)[matrix.row_ids][:, columns]
    total = picked.sum(axis=1, keepdims=True)
    # a run that puts (almost) nothing on the annotators' labels says nothing about them
    if (total <= 1e-9).any():
        return None
    return np.asarray(picked / total, dtype=np.float64)


def _run_probabilities(
    project: Project, version_id: int, labels: set[str]
) -> tuple[NDArray[np.float64] | None, str, list[str]]:
    """The newest run's probabilities whose classes cover ``labels``."""
    for run in reversed(list_runs(project, version_id)):
        if run.has_probabilities and labels <= set(run.label_names):
            probs = read_probabilities(project, run.run_id)
            if probs is not None:
                return probs.astype(np.float64), run.name, list(run.label_names)
    return None, VOTES, []


def agreement_for_version(
    project: Project, version_id: int, top: int | None = None, annotations: pl.DataFrame | None = None
) -> AgreementResult:
    """The agreement of a version's annotations, with the texts of the most-disagreed rows.

    Parameters
    ----------
    project : storage.project.Project
    version_id : int
    top : int, optional
        Keep only this many most-disagreed rows (all by default).
    annotations : polars.DataFrame, optional
        The version's annotations when the caller has read them (as
        :func:`storage.annotations.read_annotations` returns them); read here otherwise.

    Returns
    -------
    AgreementResult
        CROWDLAB uses the newest model run with probabilities whose classes include every label
        (e.g. a probe run), else the smoothed vote shares.

    Raises
    ------
    InputError
        When the version has no annotations (the message says how to import them), or one annotator.
    """
    version = get_version(project, version_id)
    if annotations is None:
        annotations = read_annotations(project, version_id)
    if annotations.is_empty():
        raise InputError(
            f"{version.dataset}:{version.number} has no annotations. Import several annotators' labels with "
            "`strata import … --annotator-cols A,B,C` (one column per annotator) or `--annotator COLUMN` "
            "(one row per item × annotator)."
        )
    record = version.roles.get("annotation") or {}
    # the version's classes are in name order, not a scale: only an order the import found counts
    scale = record.get("scale") or None
    probs, source, classes = _run_probabilities(project, version_id, set(annotations["label"].unique()))
    result = compute_agreement(
        annotations,
        scale,
        probs,
        source,
        version_id=version_id,
        class_order=classes or list(version.label_names) or None,
    )
    ranked = result.disagreements if top is None else result.disagreements.head(top)
    text = version.roles.get("text")
    shown = text if isinstance(text, str) else "_row_key"
    rows = read_rows(project, version_id, [shown]).select(
        pl.col("_row_id").alias("row_id"), pl.col(shown).cast(pl.String).alias("text")
    )
    ranked = ranked.join(rows, on="row_id", how="left", maintain_order="left")
    return replace(result, disagreements=ranked)
