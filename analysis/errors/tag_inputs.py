"""What the error-mode detectors read, computed once per tag run and shared between modes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.errors.duplicates import exact_duplicate_groups, near_duplicate_groups
from analysis.errors.spec import TagSpec
from analysis.generative.runs import RunOutcomes
from storage.generations import GENERATIVE
from storage.runs import read_probabilities

if TYPE_CHECKING:
    from analysis.pipeline.inputs import StageInputs


@dataclass(frozen=True)
class ModelView:
    """A run with labels, as the model-based modes read it.

    Attributes
    ----------
    classes : list of str
        The run's classes.
    labels : numpy.ndarray
        int64 (n,): class index of the given label, -1 where unlabelled.
    predicted : list of str
    loss, margin : numpy.ndarray
        float64 (n,), NaN where undefined.
    wrong : numpy.ndarray
        bool (n,): labelled and predicted differently.
    """

    run_id: int
    classes: list[str]
    labels: NDArray[np.int64]
    predicted: list[str]
    loss: NDArray[np.float64]
    margin: NDArray[np.float64]
    wrong: NDArray[np.bool_]

    @property
    def labelled(self) -> NDArray[np.bool_]:
        return self.labels >= 0


@dataclass(frozen=True)
class GenerationView:
    """A generative run as the generative modes read it, over the version's n rows.

    Attributes
    ----------
    outcomes : RunOutcomes
        Verdicts, first score and token counts (NaN / False where the row is unanswered).
    responses, response_hashes : list of str
        Per row; "" (and the hash of "") where unanswered.
    references : list of str or None
        The version's reference answers, when it has them.
    """

    outcomes: RunOutcomes
    responses: list[str]
    response_hashes: list[str]
    references: list[str | None] | None

    @property
    def answered(self) -> NDArray[np.bool_]:
        return self.outcomes.answered


class TagInputs:
    """The inputs of one tag run; ``notes`` collects what the report should say about it."""

    def __init__(self, stage: StageInputs, spec: TagSpec) -> None:
        self.stage = stage
        self.spec = spec
        self.notes: list[str] = []

    @property
    def has_text(self) -> bool:
        return self.stage.has_text

    @property
    def n(self) -> int:
        return self.stage.version.rows

    @cached_property
    def model(self) -> ModelView | None:
        """The model run with labels; None (and a note) without one."""
        run = self.stage.run()
        if run is not None and run.kind == GENERATIVE:
            return None
        given, predictions = self.stage.given_labels(), self.stage.predictions()
        if run is None or given is None or predictions is None:
            self.notes.append("no model run with labels: model-based modes skipped")
            return None
        index = {c: i for i, c in enumerate(run.label_names)}
        labels = np.array([index.get(g, -1) if g is not None else -1 for g in given], dtype=np.int64)
        predicted = predictions["predicted"].to_list()
        wrong = (labels >= 0) & np.array([p != g for p, g in zip(predicted, given, strict=True)])
        return ModelView(
            run.run_id,
            list(run.label_names),
            labels,
            predicted,
            predictions["loss"].fill_null(np.nan).to_numpy(),
            predictions["margin"].fill_null(np.nan).to_numpy(),
            wrong,
        )

    @cached_property
    def generation(self) -> GenerationView | None:
        """The generative run the stages use; None without one."""
        outcomes, responses = self.stage.outcomes(), self.stage.responses()
        if outcomes is None or responses is None:
            return None
        reference = self.stage.version.roles.get("reference")
        references = self.column(reference).cast(pl.String).to_list() if isinstance(reference, str) else None
        return GenerationView(outcomes, *responses, references)

    @cached_property
    def outcome(self) -> tuple[NDArray[np.bool_], NDArray[np.bool_]] | None:
        """(evaluated, wrong), bool (n,) each: labelled rows and misclassified ones for a classifier,
        judged rows and failed ones for a generative run; None without either."""
        if self.model is not None:
            return self.model.labelled, self.model.wrong
        if self.generation is not None:
            judged = self.generation.outcomes.judged
            return judged, judged & (self.generation.outcomes.passed == 0.0)
        return None

    def probabilities(self) -> NDArray[np.float64] | None:
        """The run's class probabilities (n, n_classes), or None."""
        model = self.model
        stored = read_probabilities(self.stage.project, model.run_id) if model is not None else None
        return None if stored is None else stored.astype(np.float64)

    @cached_property
    def exact_groups(self) -> NDArray[np.int64]:
        """Exact-duplicate group of each row by content hash (-1: unique)."""
        return exact_duplicate_groups(self.stage.hashes())

    @cached_property
    def near(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Near-duplicate group of each row (-1: none) and its best similarity; all -1 without text."""
        if not self.has_text:
            return np.full(self.n, -1, dtype=np.int64), np.zeros(self.n)
        idx, dist = self.stage.graph()
        return near_duplicate_groups(idx, dist, self.spec.near_duplicate_similarity)

    def column(self, name: str) -> pl.Series:
        """One of the version's columns, in row order."""
        return self.stage.read_columns([name])[name]
