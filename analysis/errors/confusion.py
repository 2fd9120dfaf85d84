"""The confusion matrix of a run: counts of (given, predicted) label pairs and the rows of each."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.class_pairs import ClassPairs, count_pairs


def confusion_pairs(
    rows: pl.DataFrame, label: str, classes: Sequence[str] = (), order: Sequence[str] = ()
) -> ClassPairs:
    """The confusion matrix of a version's rows: given label (first axis) × prediction (second).

    Parameters
    ----------
    rows : polars.DataFrame
        ``ViewFrame.rows``: ``_row_id``, ``_row_key``, the label column and ``predicted``.
    label : str
        The label column.
    classes : sequence of str
        The run's classes (``ViewFrame.class_names``), shown even where no row has them.
    order : sequence of str
        The project's class order (``ViewFrame.class_order``) for the axes and colours.

    Returns
    -------
    ClassPairs
        Rows with a missing label or prediction are not counted.

    Raises
    ------
    KeyError
        When ``rows`` has no ``label`` or ``predicted`` column.
    """
    for column in (label, "predicted"):
        if column not in rows.columns:
            raise KeyError(f"No column '{column}' to count a confusion matrix from.")
    return count_pairs(
        rows[label].cast(pl.String).to_list(),
        rows["predicted"].cast(pl.String).to_list(),
        order=order,
        classes=classes,
        row_ids=rows["_row_id"].to_numpy(),
        row_keys=rows["_row_key"].to_list() if "_row_key" in rows.columns else None,
        names=("given", "predicted"),
        share_name="% of given",
    )


def confusion_counts(
    given: Sequence[str | None], predicted: Sequence[str | None], classes: Sequence[str]
) -> NDArray[np.int64]:
    """Counts of (given, predicted) pairs, int64 of shape (K, K) in the order of ``classes``; rows with a
    missing value, or a class not in ``classes``, are left out."""
    pairs = count_pairs(given, predicted, order=classes, classes=classes)
    keep = [pairs.classes.index(c) for c in classes]
    return pairs.counts[np.ix_(keep, keep)]
