"""The responses and evaluator scores of ``generative`` model runs (tables ``generation`` and
``generation_score``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import Connection

from storage.project import Project
from storage.rows import execute_many, read_query

GENERATIVE = "generative"


@dataclass(frozen=True)
class NewGenerations:
    """A generative run's outputs to write, one entry per answered row.

    Attributes
    ----------
    row_ids : numpy.ndarray
        int64 (m,): the version rows answered (a run may skip rows).
    responses, response_hashes : list of str
        The response and its content hash (BLAKE2b-128 hex, the key of its embedding), length m.
    response_tokens : numpy.ndarray
        int64 (m,): tokens of the response with the bundled model's tokenizer.
    passed : list of bool or None
        The pass rule's verdict per response; None where the evaluator gave none.
    scores : dict of str to numpy.ndarray
        Evaluator score name → float64 (m,), NaN where missing.
    """

    row_ids: NDArray[np.int64]
    responses: list[str]
    response_hashes: list[str]
    response_tokens: NDArray[np.int64]
    passed: list[bool | None]
    scores: dict[str, NDArray[np.float64]] = field(default_factory=dict)


def insert_generations(conn: Connection, run_id: int, new: NewGenerations) -> None:
    """Write a run's responses and scores inside the caller's transaction."""
    rows = [int(r) for r in new.row_ids]
    execute_many(
        conn,
        "INSERT INTO generation (run_id, row_id, response, response_hash, response_tokens, passed) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        zip(
            [run_id] * len(rows),
            rows,
            new.responses,
            new.response_hashes,
            [int(t) for t in new.response_tokens],
            new.passed,
            strict=True,
        ),
    )
    for name, values in new.scores.items():
        execute_many(
            conn,
            "INSERT INTO generation_score (run_id, name, row_id, value) VALUES (?, ?, ?, ?)",
            (
                (run_id, name, row, None if np.isnan(v) else float(v))
                for row, v in zip(rows, values, strict=True)
            ),
        )


def copy_generations(conn: Connection, run_id: int, new_run_id: int) -> None:
    """Copy a run's responses and scores to another run (a copy of the run on a new version)."""
    conn.exec_driver_sql(
        "INSERT INTO generation (run_id, row_id, response, response_hash, response_tokens, passed) "
        "SELECT ?, row_id, response, response_hash, response_tokens, passed FROM generation "
        "WHERE run_id = ?",
        (new_run_id, run_id),
    )
    conn.exec_driver_sql(
        "INSERT INTO generation_score (run_id, name, row_id, value) "
        "SELECT ?, name, row_id, value FROM generation_score WHERE run_id = ?",
        (new_run_id, run_id),
    )


def read_generations(project: Project, run_id: int, scores: list[str] | None = None) -> pl.DataFrame:
    """A generative run's answered rows, in row order.

    Parameters
    ----------
    project : storage.project.Project
    run_id : int
    scores : list of str, optional
        Score names to add as Float64 columns (``None``: every score the run has).

    Returns
    -------
    polars.DataFrame
        ``_row_id`` (Int64), ``response`` (String), ``response_hash`` (String), ``response_tokens``
        (Int64), ``passed`` (Boolean, null: no verdict) and one column per score.
    """
    rid = int(run_id)
    frame = read_query(
        project.engine,
        "SELECT row_id, response, response_hash, response_tokens, passed FROM generation "
        f"WHERE run_id = {rid} ORDER BY row_id",
        {
            "_row_id": pl.Int64,
            "response": pl.String,
            "response_hash": pl.String,
            "response_tokens": pl.Int64,
            "passed": pl.Boolean,
        },
    )
    names = score_names(project, run_id) if scores is None else scores
    for name in names:
        values = read_query(
            project.engine,
            f"SELECT row_id, value FROM generation_score WHERE run_id = {rid} AND name = {_literal(name)} "
            "ORDER BY row_id",
            {"_row_id": pl.Int64, name: pl.Float64},
        )
        frame = frame.join(values, on="_row_id", how="left", maintain_order="left")
    return frame


def _literal(text: str) -> str:
    """``text`` as an SQL string literal (read_query takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def score_names(project: Project, run_id: int) -> list[str]:
    """The names of a run's evaluator scores, in the order they were imported."""
    frame = read_query(
        project.engine,
        f"SELECT name, MIN(rowid) AS first FROM generation_score WHERE run_id = {int(run_id)} "
        "GROUP BY name ORDER BY first",
        {"name": pl.String, "first": pl.Int64},
    )
    return frame["name"].to_list()
