"""Gold sets, the science: freezing rows, finding what changed in them (violations), and scoring a
version's labels or a run's predictions against the gold labels.

A gold set is regression testing for data quality: a set of rows whose text and label somebody
checked and froze, by row key, with the row's content hash (BLAKE2b of its text, as stored at import)
and label. A later version passes when those rows are unchanged; a run is scored on them with
accuracy (Wilson 95% interval, :func:`analysis.stats.wilson_interval`) and per-class recall, and the
rows it gets wrong are listed. Pure functions over polars frames; :mod:`analysis.labeling.gold_report`
runs them against a project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.stats import wilson_interval

# The kinds of violation, in the order a row is described (a row can be changed in text and label).
MISSING, CONTENT, LABEL = "missing", "content", "label"


def freeze_rows(rows: pl.DataFrame, label_column: str | None, version_id: int) -> tuple[pl.DataFrame, int]:
    """The gold rows of a version's rows: key, content hash and label, each key once.

    Parameters
    ----------
    rows : polars.DataFrame
        A version's rows (or a slice of them) with ``_row_key`` and ``_content_hash`` (str) and the
        label column.
    label_column : str or None
        The version's label column; None freezes rows without labels (texts only).
    version_id : int
        The version, recorded with each row.

    Returns
    -------
    gold : polars.DataFrame
        ``row_key``, ``content_hash``, ``label`` (str, null where empty), ``version_id`` (int64), in
        the rows' order; a key that repeats (rows keyed by text hash with the same text) is kept once,
        at its first row.
    repeated : int
        Rows left out because their key repeated.
    """
    label = pl.col(label_column).cast(pl.String) if label_column else pl.lit(None, dtype=pl.String)
    gold = rows.select(
        pl.col("_row_key").alias("row_key"),
        pl.col("_content_hash").alias("content_hash"),
        label.alias("label"),
        pl.lit(version_id, dtype=pl.Int64).alias("version_id"),
    )
    unique = gold.unique(subset="row_key", keep="first", maintain_order=True)
    return unique, gold.height - unique.height


def violations(gold: pl.DataFrame, rows: pl.DataFrame, label_column: str | None) -> pl.DataFrame:
    """The gold rows a version changed: missing, another text (content hash) or another label.

    Parameters
    ----------
    gold : polars.DataFrame
        ``row_key``, ``content_hash``, ``label`` (the gold set's rows).
    rows : polars.DataFrame
        The version's rows: ``_row_id`` (int), ``_row_key``, ``_content_hash``, the label column and
        optionally ``text``.
    label_column : str or None
        The version's label column (None: labels are not compared).

    Returns
    -------
    polars.DataFrame
        One row per violated gold row, in gold order: ``row_key`` (str), ``row_id`` (int64, null when
        missing), ``kind`` (``missing``, ``content``, ``label`` or ``content, label``), ``gold_label``,
        ``label`` (str: the version's, null when missing), ``gold_hash``, ``content_hash`` and
        ``text`` (str, the version's text when the rows carry one).
    """
    joined = _joined(gold, rows, label_column)
    content = pl.col("content_hash") != pl.col("gold_hash")
    label = pl.col("label").ne_missing(pl.col("gold_label")) if label_column else pl.lit(False)
    found = pl.col("row_id").is_not_null()
    kind = (
        pl.when(~found)
        .then(pl.lit(MISSING))
        .when(content & label)
        .then(pl.lit(f"{CONTENT}, {LABEL}"))
        .when(content)
        .then(pl.lit(CONTENT))
        .when(label)
        .then(pl.lit(LABEL))
    )
    return (
        joined.with_columns(kind=kind)
        .filter(pl.col("kind").is_not_null())
        .select("row_key", "row_id", "kind", "gold_label", "label", "gold_hash", "content_hash", "text")
    )


def _joined(
    gold: pl.DataFrame, rows: pl.DataFrame, label_column: str | None, given: str | None = None
) -> pl.DataFrame:
    """Gold rows left-joined with a version's rows by key (the first row of a repeated key)."""
    label = pl.col(label_column).cast(pl.String) if label_column else pl.lit(None, dtype=pl.String)
    text = pl.col("text").cast(pl.String) if "text" in rows.columns else pl.lit(None, dtype=pl.String)
    side = rows.select(
        pl.col("_row_key").alias("row_key"),
        pl.col("_row_id").cast(pl.Int64).alias("row_id"),
        pl.col("_content_hash").alias("content_hash"),
        label.alias("label"),
        (pl.col(given).cast(pl.String) if given else label).alias("given"),
        text.alias("text"),
    ).unique(subset="row_key", keep="first", maintain_order=True)
    return gold.select(
        "row_key", pl.col("content_hash").alias("gold_hash"), pl.col("label").alias("gold_label")
    ).join(side, on="row_key", how="left", maintain_order="left")


@dataclass(frozen=True)
class GoldScore:
    """A version's labels or a run's predictions scored against a gold set.

    Attributes
    ----------
    subject : str
        What was scored, in words (``bank:2``, ``bank:2 run probe``).
    kind : str
        ``labels`` (a version's labels) or the run's kind (``classifier``, ``probe``, …).
    version_id : int
    run_id : int or None
    run_name : str or None
    compared : int
        Gold rows with a gold label that the version has (found by row key).
    missing : int
        Gold rows with a gold label that the version lacks.
    correct : int
        Compared rows whose label (or prediction) equals the gold label.
    accuracy, low, high : float
        ``correct / compared`` and its Wilson 95% interval (NaN when nothing was compared).
    classes : list of str
        The gold labels, sorted.
    recall : numpy.ndarray
        float64 (c,): per class, the share of its compared gold rows given that class (NaN without
        support).
    support : numpy.ndarray
        int64 (c,): compared gold rows per class.
    disagreements : polars.DataFrame
        The compared rows that disagree: ``row_key``, ``row_id`` (int64), ``gold_label``, ``given``
        (str, null where the row has no label or prediction) and ``text``.
    """

    subject: str
    kind: str
    version_id: int
    run_id: int | None
    run_name: str | None
    compared: int
    missing: int
    correct: int
    accuracy: float
    low: float
    high: float
    classes: list[str]
    recall: NDArray[np.float64]
    support: NDArray[np.int64]
    disagreements: pl.DataFrame

    def as_dict(self, top: int = 20) -> dict[str, Any]:
        """JSON-ready: the figures, per-class recall and the first ``top`` disagreements."""
        return {
            "subject": self.subject,
            "kind": self.kind,
            "version_id": self.version_id,
            "run_id": self.run_id,
            "run": self.run_name,
            "compared": self.compared,
            "missing": self.missing,
            "correct": self.correct,
            "accuracy": _finite(self.accuracy),
            "accuracy_interval": [_finite(self.low), _finite(self.high)],
            "recall": {
                c: {"recall": _finite(float(r)), "support": int(n)}
                for c, r, n in zip(self.classes, self.recall, self.support, strict=True)
            },
            "disagreements": self.disagreements.height,
            "disagreement_rows": self.disagreements.head(top).to_dicts(),
        }


def _finite(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def score_against_gold(
    gold: pl.DataFrame,
    rows: pl.DataFrame,
    *,
    subject: str,
    kind: str,
    version_id: int,
    label_column: str | None = None,
    prediction: str | None = None,
    run_id: int | None = None,
    run_name: str | None = None,
) -> GoldScore:
    """Score a version's labels (``label_column``) or a run's predictions (``prediction``) on the gold rows.

    Parameters
    ----------
    gold : polars.DataFrame
        ``row_key``, ``content_hash``, ``label``: the gold set's rows (rows without a gold label are
        not scored).
    rows : polars.DataFrame
        The version's rows: ``_row_id``, ``_row_key``, ``_content_hash``, the label column and/or the
        prediction column, and optionally ``text``.
    label_column, prediction : str or None
        The column scored: the prediction column when given, else the label column.

    Returns
    -------
    GoldScore

    Raises
    ------
    ValueError
        When neither column is given.
    """
    if prediction is None and label_column is None:
        raise ValueError("Score a label column or a prediction column.")
    joined = _joined(gold, rows, label_column, prediction).filter(pl.col("gold_label").is_not_null())
    found = joined.filter(pl.col("row_id").is_not_null())
    agree = found["given"].eq_missing(found["gold_label"]).to_numpy()
    classes = sorted(set(joined["gold_label"].to_list()))
    gold_labels = found["gold_label"].to_numpy()
    support = np.array([(gold_labels == c).sum() for c in classes], dtype=np.int64)
    hits = np.array([(agree & (gold_labels == c)).sum() for c in classes], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(support > 0, hits / np.maximum(support, 1), np.nan).astype(np.float64)
    correct, compared = int(agree.sum()), found.height
    low, high = wilson_interval(correct, compared)
    return GoldScore(
        subject=subject,
        kind=kind,
        version_id=version_id,
        run_id=run_id,
        run_name=run_name,
        compared=compared,
        missing=joined.height - compared,
        correct=correct,
        accuracy=correct / compared if compared else float("nan"),
        low=float(low),
        high=float(high),
        classes=classes,
        recall=recall,
        support=support,
        disagreements=found.filter(~pl.Series(agree)).select(
            "row_key", "row_id", "gold_label", "given", "text"
        ),
    )
