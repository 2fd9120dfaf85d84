"""Probe runs: out-of-fold class probabilities from a classifier trained on the embeddings by
stratified k-fold cross-validation, for versions with labels and no model outputs.

This is the recipe of cleanlab's text tutorial (sentence embeddings, logistic regression,
``cross_val_predict``) and of Northcutt et al. (JAIR 2021, §6): confident learning needs
out-of-sample probabilities, and a linear probe on good embeddings gives them cheaply. The fold loop
is written out (rather than ``sklearn.model_selection.cross_val_predict``) so that the progress bar
advances per fold, Cancel is honoured between folds, and rows without a label get probabilities too
(the mean of the fold models' predictions) without a sixth fit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.progress import NullProgress, Progress, check_cancel
from storage.errors import StageInputError

METHOD = "logistic regression on the embeddings (scikit-learn, lbfgs)"
PROBE_RUN = "probe"
MIN_PER_CLASS = 2  # a class needs a row to train on and one to predict


@dataclass(frozen=True)
class ProbeSpec:
    """Parameters of the ``probe`` stage.

    Attributes
    ----------
    mode : str
        ``auto``: probe a version that has labels and no model run of its own; ``always``: probe even
        when it has one (the probe becomes the newest run); ``never``.
    folds : int
        k of the stratified k-fold cross-validation (fewer when the rarest class has fewer rows).
    seed : int
        Seed of the fold split.
    regularisation : float
        Inverse regularisation strength ``C`` of the logistic regression.
    """

    mode: str = "auto"
    folds: int = 5
    seed: int = 0
    regularisation: float = 10.0


@dataclass(frozen=True)
class ProbeResult:
    """Out-of-fold probabilities and how they were made.

    Attributes
    ----------
    classes : list of str
        Class of each probability column (sorted).
    probabilities : numpy.ndarray
        float64 (n, n_classes): out of fold for labelled rows, the fold models' mean for the others.
    folds : int
        Folds used.
    accuracy : float
        Out-of-fold accuracy on the labelled rows.
    """

    classes: list[str]
    probabilities: NDArray[np.float64]
    folds: int
    accuracy: float

    def details(self, spec: ProbeSpec, labelled: int) -> dict[str, object]:
        """What a probe run records about itself (JSON-ready)."""
        return {
            "method": METHOD,
            "folds": self.folds,
            "seed": spec.seed,
            "regularisation": spec.regularisation,
            "accuracy": round(self.accuracy, 4),
            "labelled_rows": labelled,
        }


def out_of_fold_probabilities(
    vectors: NDArray[np.float32], labels: list[str | None], spec: ProbeSpec, progress: Progress
) -> ProbeResult:
    """Class probabilities of every row from k-fold logistic regression on its embedding.

    Parameters
    ----------
    vectors : numpy.ndarray
        float32 (n, d), L2-normalised embeddings.
    labels : list of str or None
        Given label per row (None: unlabelled), length n.
    spec : ProbeSpec
    progress : analysis.progress.Progress
        Advanced per fold; Cancel checked between folds.

    Returns
    -------
    ProbeResult
        Classes sorted; see :func:`probe_probabilities`.

    Raises
    ------
    storage.errors.StageInputError
        When fewer than two classes have at least two labelled rows each.
    analysis.progress.Cancelled
        When cancelled.
    """
    classes = sorted({label for label in labels if label is not None})
    index = {c: i for i, c in enumerate(classes)}
    codes = np.array([index[label] if label is not None else -1 for label in labels], dtype=np.int64)
    probabilities, folds = probe_probabilities(vectors, codes, len(classes), spec, progress)
    labelled = codes >= 0
    accuracy = float((probabilities[labelled].argmax(axis=1) == codes[labelled]).mean())
    return ProbeResult(classes, probabilities, folds, accuracy)


def probe_probabilities(
    vectors: NDArray[np.float32],
    codes: NDArray[np.int64],
    n_classes: int,
    spec: ProbeSpec | None = None,
    progress: Progress | None = None,
) -> tuple[NDArray[np.float64], int]:
    """Out-of-fold class probabilities from stratified k-fold logistic regression on embeddings.

    Parameters
    ----------
    vectors : numpy.ndarray
        float32 (n, d), L2-normalised embeddings.
    codes : numpy.ndarray
        int64 (n,): class index of the given label, -1 for an unlabelled row.
    n_classes : int
        K; a class absent from a fold's training rows gets probability 0 for that fold's rows.
    spec : ProbeSpec, optional
    progress : analysis.progress.Progress, optional
        Advanced per fold; Cancel checked between folds.

    Returns
    -------
    probabilities : numpy.ndarray
        float64 (n, K), rows summing to 1: out of fold for labelled rows, the fold models' mean
        for unlabelled ones.
    folds : int
        Folds used (k, or fewer when the largest class has fewer rows).

    Raises
    ------
    storage.errors.StageInputError
        When fewer than two classes have at least two labelled rows each.
    analysis.progress.Cancelled
        When cancelled.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    spec, progress = spec or ProbeSpec(), progress or NullProgress()
    labelled = np.flatnonzero(codes >= 0)
    unlabelled = np.flatnonzero(codes < 0)
    counts = np.bincount(codes[labelled], minlength=n_classes)
    if (counts >= MIN_PER_CLASS).sum() < 2:
        raise StageInputError(
            "A probe run needs at least two classes with two or more labelled rows each; this version "
            f"has {int((counts > 0).sum())} class(es) and {labelled.size} labelled row(s). Label more rows."
        )
    folds = int(max(2, min(spec.folds, counts.max())))
    probabilities = np.zeros((len(codes), n_classes))
    progress.total(folds)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=spec.seed)
    # Classes rarer than the folds are spread as far as they go (scikit-learn warns and carries on).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(labelled, codes[labelled]))
    for train, held_out in splits:
        check_cancel(progress)
        model = LogisticRegression(C=spec.regularisation, max_iter=1000)
        model.fit(vectors[labelled[train]], codes[labelled[train]])
        seen = model.classes_  # a class absent from this fold's training rows gets probability 0
        probabilities[np.ix_(labelled[held_out], seen)] = model.predict_proba(vectors[labelled[held_out]])
        if unlabelled.size:
            probabilities[np.ix_(unlabelled, seen)] += model.predict_proba(vectors[unlabelled])
        progress.advance()
    return probabilities / probabilities.sum(axis=1, keepdims=True), folds
