"""``label_issue``: the given label is likely wrong — confident learning (cleanlab) and kNN label
consistency on the model's probabilities, or on a cross-validated probe's when the run has none."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.errors.label_issues import find_issues
from analysis.errors.registry import batch, error_mode
from analysis.labeling.probe import probe_probabilities
from storage.errors import StageInputError
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs

PROBE = "probe: 5-fold logistic regression on the embeddings"
MIN_LABELLED = 10


@error_mode(
    "label_issue",
    "#9467bd",
    "The given label is likely wrong (confident learning and kNN label consistency).",
    4,
)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    model = inputs.model
    if model is None or model.labelled.sum() < MIN_LABELLED:
        return None
    labels, labelled, classes = model.labels, model.labelled, model.classes
    probs, source = inputs.probabilities(), "model probabilities"
    if probs is None:
        if not inputs.has_text:
            inputs.notes.append(
                "label_issue skipped: the run has no probabilities and there is no text for a probe"
            )
            return None
        try:
            probs = probe_probabilities(inputs.stage.vectors(), np.where(labelled, labels, -1), len(classes))[
                0
            ]
        except StageInputError as why:
            inputs.notes.append(f"label_issue skipped: {why}")
            return None
        source = PROBE
    method = spec.label_issue_method if inputs.has_text else "confident_learning"
    rows = np.flatnonzero(labelled)
    sub_graph = None
    if inputs.has_text:
        # Neighbours are renumbered into the labelled rows; unlabelled neighbours (-1) do not vote.
        remap = np.full(len(labels), -1, dtype=np.int64)
        remap[rows] = np.arange(rows.size)
        sub_graph = remap[inputs.stage.graph()[0][rows]].astype(np.int32)
    issues = find_issues(method, labels[rows], probs[rows], sub_graph, len(classes), spec.knn_threshold)
    mask = np.zeros(len(labels), dtype=bool)
    mask[rows] = issues.mask
    score = np.zeros(len(labels))
    score[rows] = issues.score
    details: list[dict[str, Any] | None] = [None] * len(labels)
    for local, row in enumerate(rows):
        if issues.mask[local]:
            suggested = classes[int(issues.suggested[local])]
            details[row] = {"suggested": suggested, "method": method, "probabilities": source}
    if source == PROBE:
        inputs.notes.append("label issues scored with " + PROBE)
    return batch("label_issue", mask, score, details)
