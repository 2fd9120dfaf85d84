"""SliceLine: the top-K slices (conjunctions of feature = value predicates) where a model errs most.

Sagadeeva & Boehm, "SliceLine: Fast, Linear-Algebra-based Slice Finding for ML Model Debugging",
SIGMOD 2021. Score of a slice S: α·(ē_S / ē − 1) − (1 − α)·(n / |S| − 1), with ē the mean error,
ē_S the slice's mean error, n the row count. Enumeration is level-wise (apriori-style joins of slices
sharing all but one predicate), pruned by minimum support and by the paper's upper bound on a child's
score from its parents' size, error sum and maximum error, so the result is exact.

Written here because the one packaged implementation (``sliceline`` 0.3 on PyPI) found no slice on a
planted 2,000-row case and ran out of memory on 100k rows × 10 columns on this machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel
from storage.errors import InputError

Predicate = tuple[int, int]  # (feature index, value code)


@dataclass(frozen=True)
class SliceLineSpec:
    """SliceLine's parameters, the paper's defaults: α 0.6, at most 4 predicates, min support 10."""

    alpha: float = 0.6
    k: int = 10
    max_predicates: int = 4
    min_support: int = 10

    def __post_init__(self) -> None:
        if not 0 < self.alpha <= 1:
            raise InputError(f"SliceLine's α must be in (0, 1] (got {self.alpha}).")
        if self.k < 1 or self.max_predicates < 1 or self.min_support < 0:
            raise InputError(
                "SliceLine needs k ≥ 1, max predicates ≥ 1 and a minimum support ≥ 0 "
                f"(got {self.k}, {self.max_predicates}, {self.min_support})."
            )


@dataclass(frozen=True)
class FoundSlice:
    """A discovered slice: its predicates, size, error sum and mean, and score."""

    predicates: tuple[Predicate, ...]
    size: int
    errors: float
    error_rate: float
    score: float


def score(
    size: NDArray[np.floating] | float,
    errors: NDArray[np.floating] | float,
    mean_error: float,
    n: int,
    alpha: float,
) -> NDArray[np.float64]:
    """SliceLine's score of slices with the given sizes and error sums (−inf for empty slices)."""
    size_arr = np.asarray(size, dtype=np.float64)
    err_arr = np.asarray(errors, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = alpha * ((err_arr / size_arr) / mean_error - 1.0) - (1.0 - alpha) * (n / size_arr - 1.0)
    return np.where(size_arr > 0, value, -np.inf)


def _upper_bound(
    size: float, errors: float, max_error: float, mean_error: float, n: int, spec: SliceLineSpec
) -> float:
    """The paper's bound: the best score a slice within these size / error / max-error limits can reach."""
    if size < spec.min_support:
        return -np.inf
    candidates = {
        float(spec.min_support),
        float(size),
        float(np.clip(errors / max(max_error, 1e-12), spec.min_support, size)),
    }
    best = -np.inf
    for s in candidates:
        e = min(errors, s * max_error)
        best = max(best, float(score(s, e, mean_error, n, spec.alpha)))
    return best


def find_slices(
    codes: NDArray[np.int64],
    errors: NDArray[np.floating],
    spec: SliceLineSpec,
    progress: Progress | None = None,
) -> list[FoundSlice]:
    """The top-K slices by SliceLine's score.

    Parameters
    ----------
    codes : numpy.ndarray
        int64 (n, m): a categorical code per row and feature (bin numeric features first); negative
        codes are missing values and never form a predicate.
    errors : numpy.ndarray
        float (n,) non-negative error per row (e.g. 1 for misclassified).
    spec : SliceLineSpec
    progress : Progress, optional
        Told each level; polled for cancellation between levels and every 256 candidates.

    Returns
    -------
    list of FoundSlice
        At most ``spec.k`` slices with a positive score, best first.

    Raises
    ------
    analysis.progress.Cancelled
        When ``progress`` asks to stop.
    """
    n, m = codes.shape
    e = np.asarray(errors, dtype=np.float64)
    mean_error = float(e.mean()) if n else 0.0
    if n == 0 or mean_error <= 0:
        return []
    masks: dict[Predicate, NDArray[np.bool_]] = {}
    for f in range(m):
        for v in np.unique(codes[:, f]):
            if v >= 0:
                mask = codes[:, f] == v
                if mask.sum() >= spec.min_support:
                    masks[(f, int(v))] = mask
    top: list[FoundSlice] = []

    def threshold() -> float:
        return top[-1].score if len(top) >= spec.k else 0.0

    def offer(found: FoundSlice) -> None:
        if found.score > threshold():
            top.append(found)
            top.sort(key=lambda s: (-s.score, s.predicates))
            del top[spec.k :]

    # level 1
    level: dict[tuple[Predicate, ...], tuple[NDArray[np.bool_], float, float, float]] = {}
    for pred, mask in masks.items():
        size, err = float(mask.sum()), float(e[mask].sum())
        if err <= 0:
            continue
        sc = float(score(size, err, mean_error, n, spec.alpha))
        offer(FoundSlice((pred,), int(size), err, err / size, sc))
        level[(pred,)] = (mask, size, err, float(e[mask].max()))
    for depth in range(2, spec.max_predicates + 1):
        if progress is not None:
            check_cancel(progress)
            progress.message(f"SliceLine: slices of {depth} predicates")
        keys = sorted(level)
        candidates: dict[tuple[Predicate, ...], list[tuple[Predicate, ...]]] = {}
        for a, b in combinations(keys, 2):
            if a[:-1] != b[:-1] or a[-1][0] == b[-1][0]:
                continue  # join slices sharing all but their last predicate, on different features
            child = tuple(sorted({*a, *b}))
            if len({f for f, _ in child}) != depth:
                continue
            parents = [child[:i] + child[i + 1 :] for i in range(depth)]
            if all(p in level for p in parents):
                candidates[child] = parents
        next_level: dict[tuple[Predicate, ...], tuple[NDArray[np.bool_], float, float, float]] = {}
        for done, (child, parents) in enumerate(candidates.items()):
            if progress is not None and done % 256 == 255:
                check_cancel(progress)
            bound = _upper_bound(
                min(level[p][1] for p in parents),
                min(level[p][2] for p in parents),
                min(level[p][3] for p in parents),
                mean_error,
                n,
                spec,
            )
            if bound <= threshold():
                continue
            mask = level[child[:-1]][0] & masks[child[-1]]
            size = float(mask.sum())
            if size < spec.min_support:
                continue
            err = float(e[mask].sum())
            if err <= 0:
                continue
            offer(
                FoundSlice(
                    child, int(size), err, err / size, float(score(size, err, mean_error, n, spec.alpha))
                )
            )
            next_level[child] = (mask, size, err, float(e[mask].max()))
        if not next_level:
            break
        level = next_level
    return top
