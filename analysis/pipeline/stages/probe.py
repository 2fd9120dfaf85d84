"""Stage ``probe``: for a version with labels and no model outputs (or when asked), out-of-fold class
probabilities from a k-fold classifier on the embeddings, stored as a model run named ``probe``
(kind ``probe``, its method, folds and accuracy recorded) that every model-based error mode then reads
(:mod:`analysis.labeling.probe`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from analysis.ingest.model_outputs import row_scores
from analysis.labeling.probe import PROBE_RUN, out_of_fold_probabilities
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.keys import spec_params
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import Stage, register
from analysis.progress import Progress
from storage.errors import StageInputError
from storage.project import Project
from storage.runs import NewRun, list_runs, probe_summary
from storage.stage_outputs import StageRecord, write_probe_run, write_stage

MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Probed:
    """The probe run to store, or why there is none."""

    run: NewRun | None
    reason: str


def _labels(inputs: StageInputs) -> list[str | None] | None:
    given = inputs.given_labels()
    return None if given is None else [g if g else None for g in given]


def _why_not(spec: PipelineSpec, inputs: StageInputs) -> str:
    """Why this version gets no probe ('' when it does)."""
    mode = spec.probe.mode
    if mode not in MODES:
        raise StageInputError(f"Unknown probe mode '{mode}'; use one of {', '.join(MODES)}.")
    labels = _labels(inputs)
    if mode == "never":
        return "not asked for"
    if labels is None or all(label is None for label in labels):
        return "no labels"
    own_runs = [r.name for r in list_runs(inputs.project, inputs.version_id) if r.kind != "probe"]
    if mode == "auto" and own_runs:
        return f"the version has a model run ({own_runs[-1]})"
    return ""


def params(spec: PipelineSpec, inputs: StageInputs) -> dict[str, Any]:
    why_not = _why_not(spec, inputs)
    digest = hashlib.sha256("\x1f".join(g or "\x00" for g in _labels(inputs) or []).encode()).hexdigest()
    return spec_params(spec.probe) | {"skipped": why_not, "labels": "" if why_not else digest}


def run(spec: PipelineSpec, inputs: StageInputs, progress: Progress) -> Probed:
    why_not = _why_not(spec, inputs)
    if why_not:
        return Probed(None, why_not)
    labels = _labels(inputs)
    assert labels is not None
    result = out_of_fold_probabilities(inputs.vectors(), labels, spec.probe, progress)
    classes = result.classes
    predicted = [classes[i] for i in result.probabilities.argmax(axis=1)]
    scores = row_scores(result.probabilities, classes, predicted, labels)
    labelled = int(sum(label is not None for label in labels))
    new = NewRun(
        name=PROBE_RUN,
        label_names=classes,
        source_path="probe",
        predicted=predicted,
        confidence=scores["confidence"],
        margin=scores["margin"],
        loss=scores["loss"],
        probabilities=result.probabilities,
        kind="probe",
        details=result.details(spec.probe, labelled),
    )
    return Probed(new, "")


def write(project: Project, record: StageRecord, result: Probed) -> None:
    if result.run is None:
        write_stage(project, record)
    else:
        write_probe_run(project, record, result.run)


def describe(result: Probed) -> str:
    if result.run is None:
        return f"skipped: {result.reason}"
    return probe_summary(result.run.details or {})


STAGE = register(Stage("probe", "embed", True, params, run, write, describe))
