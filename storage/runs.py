"""Model runs and their predictions: one run is a model's outputs on every row of a version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from storage.errors import InputError
from storage.generations import NewGenerations, copy_generations, insert_generations
from storage.project import Project
from storage.rows import execute_many, read_query
from storage.schema import ModelRun
from storage.vectors import pack, unpack


@dataclass(frozen=True)
class Run:
    """A model run on a version (``run_id`` is its id in the project)."""

    run_id: int
    version_id: int
    name: str
    label_names: list[str]
    source_path: str
    has_probabilities: bool
    created_at: datetime | None = None
    kind: str = "classifier"
    details: dict[str, Any] | None = None

    @property
    def title(self) -> str:
        """The run's name as views show it: a probe says how it was made."""
        if self.kind == "probe" and self.details:
            return f"{self.name} ({probe_summary(self.details)})"
        return self.name


def probe_summary(details: dict[str, Any]) -> str:
    """How a probe run was made, in a few words: its folds and out-of-fold accuracy."""
    return f"{details.get('folds')}-fold probe, out-of-fold accuracy {float(details.get('accuracy', 0)):.1%}"


@dataclass(frozen=True)
class NewRun:
    """A model run to write: its name and classes, and one prediction per row in row order.

    Attributes
    ----------
    predicted : list of str
        Predicted label per row, length n.
    confidence, margin, loss : numpy.ndarray or None
        float64 of shape (n,), NaN where undefined; None without probabilities.
    probabilities : numpy.ndarray or None
        (n, n_classes) class probabilities (stored as float32), or None.
    kind : str
        ``classifier`` (imported outputs) or ``probe`` (made by Strata from the labels).
    details : dict or None
        How a probe was made (method, folds, seed, accuracy), or a generative run's columns and
        pass rule; JSON-ready.
    generations : NewGenerations or None
        A ``generative`` run's responses and scores (``predicted`` is then empty).
    """

    name: str
    label_names: list[str]
    source_path: str
    predicted: list[str]
    confidence: NDArray[np.float64] | None = None
    margin: NDArray[np.float64] | None = None
    loss: NDArray[np.float64] | None = None
    probabilities: NDArray[np.float64] | None = None
    kind: str = "classifier"
    details: dict[str, Any] | None = None
    generations: NewGenerations | None = None


def _run(row: ModelRun) -> Run:
    return Run(
        row.id,
        row.version_id,
        row.name,
        list(row.label_names),
        row.source_path,
        row.has_probabilities,
        row.created_at,
        row.kind,
        row.details,
    )


def list_runs(project: Project, version_id: int) -> list[Run]:
    """Return the model runs on a version, oldest first."""
    with project.session() as s:
        rows = s.scalars(select(ModelRun).where(ModelRun.version_id == version_id).order_by(ModelRun.id))
        return [_run(r) for r in rows]


def get_run(project: Project, run_id: int) -> Run:
    """The run with id ``run_id``.

    Raises
    ------
    InputError
        When there is none.
    """
    with project.session() as s:
        row = s.get(ModelRun, run_id)
        if row is None:
            raise InputError(f"No model run with id {run_id} in this project.")
        return _run(row)


def _nullable(values: NDArray[np.float64] | None, n: int) -> list[float | None]:
    if values is None:
        return [None] * n
    return [None if np.isnan(v) else float(v) for v in values]


def insert_run(session: Session, version_id: int, run: NewRun) -> int:
    """Write a run and its predictions inside the caller's transaction; return the run's id.

    Raises
    ------
    InputError
        When the version already has a run with that name.
    """
    taken = set(session.scalars(select(ModelRun.name).where(ModelRun.version_id == version_id)))
    if run.name in taken:
        raise InputError(
            f"This version already has a model run named '{run.name}'; choose another --run-name "
            f"(taken: {', '.join(sorted(taken))})."
        )
    row = ModelRun(
        version_id=version_id,
        name=run.name,
        label_names=run.label_names,
        source_path=run.source_path,
        has_probabilities=run.probabilities is not None,
        kind=run.kind,
        details=run.details,
    )
    session.add(row)
    session.flush()
    n = len(run.predicted)
    confidence, margin, loss = (_nullable(v, n) for v in (run.confidence, run.margin, run.loss))
    probs = run.probabilities
    blobs = [pack(r) for r in probs.astype(np.float32)] if probs is not None else [None] * n
    execute_many(
        session.connection(),
        "INSERT INTO prediction (run_id, row_id, predicted_label, confidence, margin, loss, "
        "probabilities) VALUES (?, ?, ?, ?, ?, ?, ?)",
        zip([row.id] * n, range(n), run.predicted, confidence, margin, loss, blobs, strict=True),
    )
    if run.generations is not None:
        insert_generations(session.connection(), int(row.id), run.generations)
    return int(row.id)


def add_run(project: Project, version_id: int, run: NewRun) -> int:
    """Write a model run on an existing version in one transaction; return its id (see insert_run)."""
    with project.session() as s:
        run_id = insert_run(s, version_id, run)
        project.log("import_run", {"version": version_id, "run": run.name, "source": run.source_path}, s)
        return run_id


def copy_run(conn: Connection, run_id: int, version_id: int, loss: NDArray[np.float64] | None) -> int:
    """Copy a run onto another version with the same rows, replacing its loss when one is given.

    Returns the copy's id. Runs in the caller's transaction (``conn``).
    """
    columns = "name, label_names, source_path, has_probabilities, created_at, kind, details"
    result = conn.exec_driver_sql(
        f"INSERT INTO model_run (version_id, {columns}) SELECT ?, {columns} FROM model_run WHERE id = ?",
        (version_id, run_id),
    )
    new_id = int(result.lastrowid or 0)
    conn.exec_driver_sql(
        "INSERT INTO prediction (run_id, row_id, predicted_label, confidence, margin, loss, probabilities) "
        "SELECT ?, row_id, predicted_label, confidence, margin, loss, probabilities FROM prediction "
        "WHERE run_id = ?",
        (new_id, run_id),
    )
    copy_generations(conn, run_id, new_id)
    if loss is not None:
        known = np.flatnonzero(~np.isnan(loss))
        execute_many(
            conn,
            "UPDATE prediction SET loss = ? WHERE run_id = ? AND row_id = ?",
            [(float(loss[r]), new_id, int(r)) for r in known],
        )
    return new_id


def read_predictions(project: Project, run_id: int) -> pl.DataFrame:
    """Return a run's predictions: ``_row_id``, ``predicted``, ``confidence``, ``margin``, ``loss``."""
    return read_query(
        project.engine,
        "SELECT row_id, predicted_label, confidence, margin, loss FROM prediction "
        f"WHERE run_id = {int(run_id)} ORDER BY row_id",
        {
            "_row_id": pl.Int64,
            "predicted": pl.String,
            "confidence": pl.Float64,
            "margin": pl.Float64,
            "loss": pl.Float64,
        },
    )


def read_probabilities(project: Project, run_id: int) -> NDArray[np.float32] | None:
    """Return a run's class probabilities, float32 of shape (n, n_classes), or None."""
    frame = read_query(
        project.engine,
        f"SELECT probabilities FROM prediction WHERE run_id = {int(run_id)} ORDER BY row_id",
        {"probabilities": pl.Binary},
    )
    blobs = frame["probabilities"]
    if blobs.null_count() == len(blobs):
        return None
    return np.stack([unpack(b, "float32") for b in blobs.to_list()]).astype(np.float32)
