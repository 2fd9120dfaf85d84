"""Two generative runs on the same prompts: wins, losses and ties, the paired difference of pass
rates, and the regressions (passed in A, failed in B)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.generative.runs import RunOutcomes
from analysis.stats import paired_accuracy_difference, wilson_interval


@dataclass(frozen=True)
class RunComparison:
    """Run B against run A on the prompts both answered with a verdict.

    Attributes
    ----------
    run_a, run_b : str
    rows : int
        Prompts with a verdict in both runs.
    wins, losses, ties : int
        By score when both runs have one (B higher / lower / equal), else by verdict (B passed and A
        failed / the reverse / the same verdict).
    compared_by : str
        The score's name, or ``"pass/fail"``.
    pass_rate_a, pass_rate_b : float
        On the ``rows`` prompts, with 95% Wilson intervals ``*_ci``.
    difference, difference_low, difference_high : float
        Pass rate of B minus A, with a 95% paired (Wald, Agresti & Min 2005) interval.
    regressions, improvements : numpy.ndarray
        int64 row ids: passed in A and failed in B / failed in A and passed in B.
    by_group : list of dict
        Per group (cluster or subset) when asked for: ``group``, ``rows``, ``regressions``,
        ``improvements``, ``difference`` and its interval.
    """

    run_a: str
    run_b: str
    rows: int
    wins: int
    losses: int
    ties: int
    compared_by: str
    pass_rate_a: float
    pass_rate_a_ci: tuple[float, float]
    pass_rate_b: float
    pass_rate_b_ci: tuple[float, float]
    difference: float
    difference_low: float
    difference_high: float
    regressions: NDArray[np.int64]
    improvements: NDArray[np.int64]
    by_group: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready (``strata compare --json``); ``top`` caps the row lists."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("regressions", "improvements")}
        out["regressions"] = self.regressions[:top].tolist()
        out["improvements"] = self.improvements[:top].tolist()
        out["regression_count"], out["improvement_count"] = self.regressions.size, self.improvements.size
        return out


def _interval(k: int, n: int) -> tuple[float, float]:
    low, high = wilson_interval(k, n)
    return float(low), float(high)


def compare_runs(
    a: RunOutcomes,
    b: RunOutcomes,
    groups: NDArray[np.int64] | None = None,
    group_names: dict[int, str] | None = None,
) -> RunComparison:
    """Compare run ``b`` with run ``a`` prompt by prompt.

    Parameters
    ----------
    a, b : RunOutcomes
        Two runs on the same version (n rows).
    groups : numpy.ndarray, optional
        int64 (n,) group of each row (a cluster, -1 for none, or a subset's code) for the per-group
        table.
    group_names : dict, optional
        Group code → name.

    Returns
    -------
    RunComparison

    Notes
    -----
    Wins and losses follow AlpacaEval's pairwise view when scores exist (B's score above A's is a win);
    the difference of pass rates uses the paired Wald interval of
    :func:`analysis.stats.paired_accuracy_difference`.
    """
    both = a.judged & b.judged
    pa, pb = a.passed == 1.0, b.passed == 1.0
    if a.score is not None and b.score is not None:
        scored = both & ~np.isnan(a.score) & ~np.isnan(b.score)
        wins = int((scored & (b.score > a.score)).sum())
        losses = int((scored & (b.score < a.score)).sum())
        ties = int((scored & (b.score == a.score)).sum())
        by = a.score_name or "score"
    else:
        wins, losses = int((both & pb & ~pa).sum()), int((both & pa & ~pb).sum())
        ties, by = int(both.sum()) - wins - losses, "pass/fail"
    n = int(both.sum())
    ka, kb = int((pa & both).sum()), int((pb & both).sum())
    diff, low, high = paired_accuracy_difference(pa[both], pb[both])
    table: list[dict[str, Any]] = []
    if groups is not None:
        names = group_names or {}
        for g in sorted(set(groups[both].tolist())):
            mask = both & (groups == g)
            d, lo, hi = paired_accuracy_difference(pa[mask], pb[mask])
            table.append(
                {
                    "group": names.get(int(g), str(g)),
                    "rows": int(mask.sum()),
                    "regressions": int((mask & pa & ~pb).sum()),
                    "improvements": int((mask & ~pa & pb).sum()),
                    "difference": d,
                    "difference_low": lo,
                    "difference_high": hi,
                }
            )
        table.sort(key=lambda r: (-r["regressions"], r["difference"]))
    return RunComparison(
        a.run.name,
        b.run.name,
        n,
        wins,
        losses,
        ties,
        by,
        ka / n if n else float("nan"),
        _interval(ka, n),
        kb / n if n else float("nan"),
        _interval(kb, n),
        diff,
        low,
        high,
        np.flatnonzero(both & pa & ~pb).astype(np.int64),
        np.flatnonzero(both & ~pa & pb).astype(np.int64),
        table,
    )
