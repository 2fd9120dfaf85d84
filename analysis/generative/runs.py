"""A version's generative runs and their outcomes, read from ``storage/`` for the analyses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from storage.errors import InputError
from storage.generations import GENERATIVE, read_generations
from storage.project import Project
from storage.runs import Run, get_run, list_runs


@dataclass(frozen=True)
class RunOutcomes:
    """One generative run over the version's n rows.

    Attributes
    ----------
    run : storage.runs.Run
    answered : numpy.ndarray
        bool (n,): the run has a response for the row.
    passed : numpy.ndarray
        float64 (n,): 1.0 passed, 0.0 failed, NaN no verdict (or no response).
    score : numpy.ndarray or None
        float64 (n,): the first evaluator score, NaN where missing; None without scores.
    response_tokens : numpy.ndarray
        float64 (n,): tokens of the response, NaN where unanswered.
    responses : polars.DataFrame
        The answered rows (:func:`storage.generations.read_generations`).
    """

    run: Run
    answered: NDArray[np.bool_]
    passed: NDArray[np.float64]
    score: NDArray[np.float64] | None
    response_tokens: NDArray[np.float64]
    responses: pl.DataFrame

    @property
    def score_name(self) -> str | None:
        scores = (self.run.details or {}).get("scores") or []
        return str(scores[0]) if scores else None

    @property
    def judged(self) -> NDArray[np.bool_]:
        """bool (n,): rows with a verdict."""
        return ~np.isnan(self.passed)


def generative_runs(project: Project, version_id: int) -> list[Run]:
    """The version's generative runs, oldest first."""
    return [r for r in list_runs(project, version_id) if r.kind == GENERATIVE]


def find_run(project: Project, version_id: int, name: str) -> Run:
    """The generative run named ``name``.

    Raises
    ------
    InputError
        When there is none; the message lists the version's generative runs.
    """
    runs = generative_runs(project, version_id)
    for run in runs:
        if run.name == name:
            return run
    names = ", ".join(r.name for r in runs) or "none"
    raise InputError(f"No generative run named '{name}' on this version (generative runs: {names}).")


def _spread(n: int, rows: NDArray[np.int64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.full(n, np.nan)
    out[rows] = values
    return out


def run_outcomes(project: Project, run: Run, n_rows: int) -> RunOutcomes:
    """Read a generative run's outcomes spread over the version's ``n_rows`` rows."""
    scores = (run.details or {}).get("scores") or []
    frame = read_generations(project, run.run_id, [str(s) for s in scores[:1]])
    rows = frame["_row_id"].to_numpy()
    answered = np.zeros(n_rows, dtype=bool)
    answered[rows] = True
    passed = frame["passed"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    score = _spread(n_rows, rows, frame[str(scores[0])].fill_null(np.nan).to_numpy()) if scores else None
    tokens = _spread(n_rows, rows, frame["response_tokens"].cast(pl.Float64).to_numpy())
    return RunOutcomes(run, answered, _spread(n_rows, rows, passed), score, tokens, frame)


def describe_run(project: Project, run_id: int) -> str:
    """A run in a few words, as the import reports it: ``generative run 'x': 805 responses, 30 passed,
    775 failed`` (a classifier run: ``model run 'x'``)."""
    run = get_run(project, run_id)
    if run.kind != GENERATIVE:
        return f"model run '{run.name}'"
    passed = read_generations(project, run_id, [])["passed"]
    verdicts = f", {int(passed.sum()):,} passed, {int((~passed).sum()):,} failed" if passed.count() else ""
    missing = f", {passed.null_count():,} without a verdict" if passed.null_count() else ""
    return f"generative run '{run.name}': {passed.len():,} responses{verdicts}{missing}"
