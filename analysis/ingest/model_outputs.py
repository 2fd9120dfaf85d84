"""Model outputs on a dataset: validating class probabilities and deriving per-row scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.ingest.roles import RoleMapping
from storage.errors import InputError

SUM_TOLERANCE = 1e-3


@dataclass
class ModelOutputs:
    """Validated outputs of one model run.

    Attributes
    ----------
    class_names : list of str
        Classes in probability-column order (or the label set when there are no probabilities).
    predicted : list of str
        Predicted label per row, shape (n,).
    probabilities : numpy.ndarray or None
        float32 array of shape (n, n_classes), rows summing to 1 ± 1e-3; ``None`` for label-only runs.
    """

    class_names: list[str]
    predicted: list[str]
    probabilities: NDArray[np.float32] | None


def _rows(mask: NDArray[np.bool_] | np.bool_, limit: int = 5) -> str:
    idx = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(i + 1) for i in idx[:limit])
    return f"{idx.size} row(s), e.g. data row {shown}"


def probability_matrix(
    df: pl.DataFrame, roles: RoleMapping, class_names: list[str] | None, source: str
) -> tuple[NDArray[np.float64], list[str]] | None:
    """Collect the class probabilities named by ``roles`` into an (n, n_classes) float64 matrix.

    Raises
    ------
    InputError
        When a named probability column is missing or not numeric, or a list column has rows of
        different lengths.
    """
    if roles.proba_list:
        lengths = df[roles.proba_list].list.len()
        if lengths.n_unique() != 1:
            raise InputError(f"{source}: list column '{roles.proba_list}' has rows of different lengths.")
        matrix = np.asarray(df[roles.proba_list].to_list(), dtype=np.float64)
        if class_names is None or len(class_names) != matrix.shape[1]:
            raise InputError(
                f"{source}: '{roles.proba_list}' holds {matrix.shape[1]} probabilities per row; give the "
                "class order with --label-map (one class per line, or a JSON list / id→name object)."
            )
        return matrix, class_names
    cols = list(roles.proba_cols)
    names = cols
    if roles.proba_prefix:
        cols = [c for c in df.columns if c.startswith(roles.proba_prefix)]
        names = [c[len(roles.proba_prefix) :] for c in cols]
        if not cols:
            raise InputError(
                f"{source}: no column starts with the probability prefix '{roles.proba_prefix}'."
            )
    if not cols:
        return None
    bad = [c for c in cols if not df.schema[c].is_numeric()]
    if bad:
        raise InputError(f"{source}: probability column(s) {bad} are not numeric.")
    matrix = df.select(cols).cast(pl.Float64).to_numpy()
    return matrix, names


def validate_probabilities(matrix: NDArray[np.float64], source: str) -> None:
    """Check that every row is a probability distribution.

    Raises
    ------
    InputError
        When a value is missing, outside [0, 1], or a row does not sum to 1 ± 1e-3; the message names
        the rows and says how to fix them.
    """
    missing = np.isnan(matrix).any(axis=1)
    if missing.any():
        raise InputError(f"{source}: probabilities are missing in {_rows(missing)}.")
    outside = ((matrix < 0) | (matrix > 1)).any(axis=1)
    if outside.any():
        raise InputError(
            f"{source}: probabilities outside [0, 1] in {_rows(outside)}. These look like logits or scores; "
            "apply a softmax before importing."
        )
    off = np.abs(matrix.sum(axis=1) - 1.0) > SUM_TOLERANCE
    if off.any():
        raise InputError(
            f"{source}: probabilities do not sum to 1 ± {SUM_TOLERANCE:g} in {_rows(off)}. Check that the "
            "probability columns list every class, or normalise each row."
        )


def check_known(values: pl.Series, known: list[str], what: str, source: str) -> None:
    """Raise InputError if ``values`` holds labels outside ``known`` (the label set)."""
    unknown_mask = ((~values.is_in(known)).fill_null(False) & values.is_not_null()).to_numpy()
    if unknown_mask.any():
        unknown = sorted(set(values.filter(pl.Series(unknown_mask)).to_list()))[:5]
        raise InputError(
            f"{source}: {what} {unknown} are not in the label set ({len(known)} classes) in "
            f"{_rows(unknown_mask)}. Map integer labels with --label-map, or list every class of the "
            "task with --classes."
        )


def row_scores(
    probabilities: NDArray[np.float64] | None,
    class_names: list[str],
    predicted: list[str],
    labels: list[str | None] | None,
) -> dict[str, NDArray[np.float64] | None]:
    """Derive confidence, margin and loss for each row.

    Parameters
    ----------
    probabilities : numpy.ndarray or None
        (n, n_classes) float64.
    class_names : list of str
        Class of each probability column.
    predicted : list of str
        Predicted label per row.
    labels : list of str or None, optional
        Given label per row (``None`` where unlabelled).

    Returns
    -------
    dict
        ``confidence`` (probability of the predicted label), ``margin`` (top-1 minus top-2
        probability) and ``loss`` (cross-entropy ``-ln p[label]``, clipped at 1e-12; NaN where
        unlabelled), each float64 of shape (n,), or ``None`` without probabilities.
    """
    if probabilities is None:
        return {"confidence": None, "margin": None, "loss": None}
    index = {c: i for i, c in enumerate(class_names)}
    rows = np.arange(probabilities.shape[0])
    pred_idx = np.array([index[p] for p in predicted])
    confidence = probabilities[rows, pred_idx]
    if probabilities.shape[1] > 1:
        top2 = np.partition(probabilities, -2, axis=1)[:, -2:]
        margin = top2[:, 1] - top2[:, 0]
    else:
        margin = probabilities[:, 0].copy()
    loss = np.full(probabilities.shape[0], np.nan)
    if labels is not None:
        has = np.array([lab is not None for lab in labels])
        lab_idx = np.array([index.get(lab, 0) if lab is not None else 0 for lab in labels])
        loss[has] = -np.log(np.clip(probabilities[rows, lab_idx][has], 1e-12, None))
    return {"confidence": confidence, "margin": margin, "loss": loss}
