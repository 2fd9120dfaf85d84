"""The confusion matrix of a run: counts of (given, predicted) label pairs."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def confusion_counts(
    given: list[str | None], predicted: list[str | None], classes: list[str]
) -> NDArray[np.int64]:
    """Counts of (given, predicted) pairs, int64 of shape (K, K) in the order of ``classes``; rows with a
    missing value are left out (``sklearn.metrics.confusion_matrix``)."""
    from sklearn.metrics import confusion_matrix

    keep = [
        i for i, (g, p) in enumerate(zip(given, predicted, strict=True)) if g is not None and p is not None
    ]
    return np.asarray(
        confusion_matrix([given[i] for i in keep], [predicted[i] for i in keep], labels=classes),
        dtype=np.int64,
    )
