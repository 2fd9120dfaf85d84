"""Active learning: which rows to label next, by a named strategy over a pool of candidate rows.

Pool-based active learning (Settles 2009, "Active Learning Literature Survey", University of
Wisconsin–Madison CS TR 1648, §2.3 and §3): a model's class probabilities on the rows still to label
say which of them it is least sure of (*uncertainty sampling*, §3.1); a clustering of the embeddings
says which regions the labelled rows leave uncovered (*diversity*, density and representativeness,
§5.1). Every strategy here ranks the candidate rows of a :class:`LabelPool` and returns the top
``size`` as a :class:`Ranking`; :data:`STRATEGIES` is the registry the queue, the command line and
the window read.

- ``uncertainty``: smallest margin between the two most probable classes first (Scheffer et al. 2001;
  Settles §3.1, "margin sampling").
- ``entropy``: highest Shannon entropy of the class probabilities first (Settles §3.1).
- ``diversity``: cluster coverage, no model needed. Picks go round the version's clusters, the
  cluster with the fewest labelled (and already picked) rows first, so every cluster gets labels
  before any gets many (cluster-balanced); a cluster's q picks are the rows nearest the centroids of
  a k-means (k = q) of its candidates, representative rows that are not near-copies of each other
  (Settles §5.1, density and representativeness; Nguyen & Smeulders 2004, "Active learning using
  pre-clustering").
- ``mix``: uncertainty within clusters. The ``MIX_SHORTLIST`` × ``size`` most uncertain rows (by
  margin) are clustered by k-means into ``size`` clusters, weighted by their uncertainty, and the
  row nearest each centroid is picked: a batch of uncertain rows spread over the regions the model
  is unsure of, instead of many near-copies from one of them (Zhdanov 2019, "Diverse mini-batch
  Active Learning", arXiv:1901.05954, with its pre-filter β = 10).
- ``random``: a uniform random order (seeded): the baseline every other strategy must beat.
- ``activelab``: ActiveLab (Goh & Mueller 2023, "ActiveLab: Active Learning with Re-Labeling by
  Multiple Annotators", ICLR 2023 workshop; ``cleanlab.multiannotator.get_active_learning_scores``)
  when several annotators labelled the rows: it weighs the annotators' agreement and the model's
  confidence to say which row (labelled or not) gains most from one more label.

The default (:data:`DEFAULT_STRATEGY`) is ``mix``, chosen by ``benchmarks/bench_active.py``
(BANKING77 train, 5 rounds of 200 labels from 2 per intent, 3 seeds): the probe's test accuracy after
each round is 4.5 to 6.8 points above ``random``'s, where ``uncertainty`` alone falls short of
``random`` in the first round and ``diversity`` gains little after the second (figures in
``benchmarks/README.md``).

The uncertainty measures and the cluster-based selection the strategies are built from, on plain
arrays, are in :mod:`analysis.labeling.active_scoring`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.labeling.active_scoring import (
    cluster_groups,
    entropy_uncertainty,
    margin_uncertainty,
    representatives,
    round_robin,
)
from storage.errors import InputError

MIX_SHORTLIST = 10  # mix spreads its picks over the 10 × size most uncertain rows (Zhdanov's beta)
NOISE = -1  # a clustering's label for rows in no cluster (HDBSCAN)
QUEUE_TAG = "to_label"  # the review queue a label queue is stored as (analysis.labeling.active_queue)
ROW_SETS = ("unlabelled", "labelled", "all")  # which rows a label queue may hold


@dataclass(frozen=True)
class LabelPool:
    """The rows a strategy chooses among and what is known about every row of the version.

    Attributes
    ----------
    candidates : numpy.ndarray
        int64 (m,): row positions (``_row_id``) that may be queued, ascending.
    labelled : numpy.ndarray
        bool (n,): rows that already have a label (the clusters they fall in count as covered).
    probabilities : numpy.ndarray or None
        float (n, k): a model's (or the probe's) class probabilities of every row.
    clusters : numpy.ndarray or None
        int64 (n,): each row's cluster, :data:`NOISE` for none.
    vectors : numpy.ndarray or None
        float32 (n, d): L2-normalised embeddings (``diversity`` and ``mix`` cluster rows by them).
    annotations : numpy.ndarray or None
        float64 (n, a): class index (a column of ``probabilities``) each of a annotators gave each
        row, NaN where none (``activelab``).
    """

    candidates: NDArray[np.int64]
    labelled: NDArray[np.bool_]
    probabilities: NDArray[np.floating] | None = None
    clusters: NDArray[np.int64] | None = None
    vectors: NDArray[np.float32] | None = None
    annotations: NDArray[np.float64] | None = None


@dataclass(frozen=True)
class Ranking:
    """The rows to label next, in order.

    Attributes
    ----------
    rows : numpy.ndarray
        int64 (s,): row positions, the first to label first.
    scores : numpy.ndarray
        float64 (s,): each row's score under the strategy, higher meaning more worth labelling:
        1 − margin (``uncertainty``, ``mix``), normalised entropy, 1 / (1 + rows of its cluster
        labelled or picked before it) (``diversity``), 1 − ActiveLab score, or the random key.
    """

    rows: NDArray[np.int64]
    scores: NDArray[np.float64]


@dataclass(frozen=True)
class Strategy:
    """A registered strategy.

    Attributes
    ----------
    name : str
        Registry name (``strata queue --strategy NAME``).
    needs : tuple of str
        Fields of :class:`LabelPool` it reads: ``probabilities``, ``clusters``, ``vectors``,
        ``annotations``.
    rank : callable
        ``rank(pool, size, rng) -> Ranking``.
    summary : str
        One line for help texts.
    """

    name: str
    needs: tuple[str, ...]
    rank: Callable[[LabelPool, int, np.random.Generator], Ranking]
    summary: str


STRATEGIES: dict[str, Strategy] = {}
DEFAULT_STRATEGY = "mix"


def register_strategy(strategy: Strategy) -> Strategy:
    """Add ``strategy`` to :data:`STRATEGIES` (by its name) and return it."""
    STRATEGIES[strategy.name] = strategy
    return strategy


def rank_rows(pool: LabelPool, strategy: str, size: int, seed: int = 0) -> Ranking:
    """The ``size`` candidates to label first under ``strategy``.

    Parameters
    ----------
    pool : LabelPool
    strategy : str
        A name in :data:`STRATEGIES`.
    size : int
        How many rows (fewer when the pool has fewer candidates).
    seed : int
        Seed of the random choices (``random``; ties elsewhere are broken by row order).

    Returns
    -------
    Ranking

    Raises
    ------
    storage.errors.InputError
        When the strategy is unknown, ``size`` < 1, or the pool lacks what the strategy needs.
    """
    found = STRATEGIES.get(strategy)
    if found is None:
        raise InputError(f"Unknown strategy '{strategy}'; use one of {', '.join(STRATEGIES)}.")
    if size < 1:
        raise InputError(f"The queue size must be at least 1, not {size}.")
    missing = [need for need in found.needs if getattr(pool, need) is None]
    if missing:
        raise InputError(f"The '{strategy}' strategy needs {' and '.join(missing)}, which this pool lacks.")
    if pool.candidates.size == 0:
        return Ranking(np.zeros(0, dtype=np.int64), np.zeros(0))
    return found.rank(pool, min(size, int(pool.candidates.size)), np.random.default_rng(seed))


def _top(rows: NDArray[np.int64], scores: NDArray[np.float64], size: int) -> Ranking:
    """The ``size`` highest scores, highest first (ties: the lower row first)."""
    order = np.lexsort((rows, -scores))[:size]
    return Ranking(rows[order], scores[order])


def _uncertainty(measure: Callable[[NDArray[np.floating]], NDArray[np.float64]]) -> Callable[..., Ranking]:
    def rank(pool: LabelPool, size: int, rng: np.random.Generator) -> Ranking:
        assert pool.probabilities is not None
        rows = pool.candidates
        return _top(rows, measure(pool.probabilities[rows]), size)

    return rank


def _random(pool: LabelPool, size: int, rng: np.random.Generator) -> Ranking:
    keys = rng.random(pool.candidates.size)
    return _top(pool.candidates, keys, size)


def _covered(pool: LabelPool) -> NDArray[np.int64]:
    """Labelled rows per cluster; noise rows count as one more cluster (the last slot)."""
    assert pool.clusters is not None
    groups = cluster_groups(pool.clusters)
    return np.bincount(groups[pool.labelled], minlength=int(groups.max()) + 1).astype(np.int64)


def _diversity(pool: LabelPool, size: int, rng: np.random.Generator) -> Ranking:
    """Cluster-balanced quotas, filled in each cluster by k-means representatives of its candidates."""
    assert pool.clusters is not None and pool.vectors is not None
    rows = pool.candidates
    groups = cluster_groups(pool.clusters)[rows]
    order = np.argsort(groups, kind="stable")
    # the round robin says how many picks each cluster gets and in which turn; k-means says which rows
    turns, coverage = round_robin(rows[order], groups[order], _covered(pool), size)
    turn_groups = cluster_groups(pool.clusters)[turns]
    seed = int(rng.integers(2**31))
    picked = np.empty_like(turns)
    for group in np.unique(turn_groups):
        members = rows[groups == group]
        slots = np.flatnonzero(turn_groups == group)
        chosen = members[representatives(pool.vectors[members], slots.size, seed)]
        if chosen.size < slots.size:  # repeated texts: top up with the cluster's other rows
            rest = np.setdiff1d(members, chosen)
            chosen = np.r_[chosen, rest[: slots.size - chosen.size]]
        picked[slots] = chosen
    return Ranking(picked, np.asarray(1.0 / (1.0 + coverage), dtype=np.float64))


def _mix(pool: LabelPool, size: int, rng: np.random.Generator) -> Ranking:
    """The most uncertain rows, one per k-means cluster of the shortlist (uncertainty-weighted)."""
    assert pool.probabilities is not None and pool.vectors is not None
    uncertain = _top(
        pool.candidates, margin_uncertainty(pool.probabilities[pool.candidates]), MIX_SHORTLIST * size
    )
    chosen = representatives(
        pool.vectors[uncertain.rows], size, int(rng.integers(2**31)), np.maximum(uncertain.scores, 1e-6)
    )
    if chosen.size < size:  # repeated texts: top up with the most uncertain rows not chosen
        rest = np.setdiff1d(np.arange(uncertain.rows.size), chosen)
        chosen = np.r_[chosen, rest[: size - chosen.size]]
    chosen = np.sort(chosen)  # the shortlist's order: most uncertain first
    return Ranking(uncertain.rows[chosen], uncertain.scores[chosen])


def _activelab(pool: LabelPool, size: int, rng: np.random.Generator) -> Ranking:
    """1 − ActiveLab score of every candidate, labelled by annotators or not."""
    import warnings

    from cleanlab.multiannotator import get_active_learning_scores

    assert pool.probabilities is not None and pool.annotations is not None
    rows = pool.candidates
    probs = np.asarray(pool.probabilities[rows], dtype=np.float64)
    given = pool.annotations[rows]
    annotated = ~np.isnan(given).all(axis=1)
    if not annotated.any():
        raise InputError("No candidate row has an annotator's label: ActiveLab has nothing to weigh.")
    scores = np.empty(rows.size)
    with warnings.catch_warnings():
        # cleanlab warns about annotators who labelled one row only; the scores are still defined
        warnings.simplefilter("ignore")
        labelled_scores, unlabelled_scores = get_active_learning_scores(
            given[annotated][:, ~np.isnan(given[annotated]).all(axis=0)],
            probs[annotated],
            probs[~annotated] if (~annotated).any() else None,
        )
    scores[annotated] = labelled_scores
    if (~annotated).any():
        scores[~annotated] = unlabelled_scores
    return _top(rows, 1.0 - scores, size)


register_strategy(
    Strategy("uncertainty", ("probabilities",), _uncertainty(margin_uncertainty), "smallest margin first")
)
register_strategy(
    Strategy("entropy", ("probabilities",), _uncertainty(entropy_uncertainty), "highest entropy first")
)
register_strategy(
    Strategy(
        "diversity",
        ("clusters", "vectors"),
        _diversity,
        "cluster coverage: the least-labelled clusters first, representative rows of each",
    )
)
register_strategy(
    Strategy(
        "mix",
        ("probabilities", "vectors"),
        _mix,
        "uncertainty and diversity: the most uncertain rows, one per cluster of them",
    )
)
register_strategy(Strategy("random", (), _random, "uniform random order (the baseline)"))
register_strategy(
    Strategy(
        "activelab",
        ("probabilities", "annotations"),
        _activelab,
        "ActiveLab (cleanlab): the row, labelled or not, that gains most from one more annotator's label",
    )
)
