"""All generative runs of a version ranked by pass rate, with bootstrap intervals over prompts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.generative.runs import RunOutcomes

BOOTSTRAP_RESAMPLES = 1000
SEED = 0


@dataclass(frozen=True)
class LeaderboardEntry:
    """One run's standing.

    Attributes
    ----------
    run : str
    judged : int
        Prompts with a verdict.
    pass_rate, pass_rate_low, pass_rate_high : float
        Share passed, with a 95% percentile-bootstrap interval over prompts.
    mean_score, mean_score_low, mean_score_high : float or None
        The first score's mean and its bootstrap interval (None without scores).
    mean_tokens : float
        Mean response length in tokens (the length column AlpacaEval's leaderboard shows).
    """

    run: str
    judged: int
    pass_rate: float
    pass_rate_low: float
    pass_rate_high: float
    mean_score: float | None
    mean_score_low: float | None
    mean_score_high: float | None
    mean_tokens: float


def _bootstrap(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    if values.size == 0:
        return float("nan"), float("nan")
    picks = rng.integers(0, values.size, size=(BOOTSTRAP_RESAMPLES, values.size))
    means = values[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def leaderboard(runs: list[RunOutcomes]) -> list[LeaderboardEntry]:
    """Rank runs by pass rate (highest first).

    Parameters
    ----------
    runs : list of RunOutcomes

    Returns
    -------
    list of LeaderboardEntry

    Notes
    -----
    Intervals: percentile bootstrap over prompts, 1,000 resamples, seed 0 (AlpacaEval reports its win
    rates with a standard error over instructions; the bootstrap makes no normality assumption).
    """
    rng = np.random.default_rng(SEED)
    entries = []
    for outcome in runs:
        passed = outcome.passed[outcome.judged]
        p_low, p_high = _bootstrap(passed, rng)
        score = None if outcome.score is None else outcome.score[~np.isnan(outcome.score)]
        s_low, s_high = _bootstrap(score, rng) if score is not None else (None, None)
        tokens = outcome.response_tokens[outcome.answered]
        entries.append(
            LeaderboardEntry(
                outcome.run.name,
                int(passed.size),
                float(passed.mean()) if passed.size else float("nan"),
                p_low,
                p_high,
                float(score.mean()) if score is not None and score.size else None,
                s_low,
                s_high,
                float(tokens.mean()) if tokens.size else float("nan"),
            )
        )
    return sorted(entries, key=lambda e: -np.nan_to_num(e.pass_rate, nan=-1.0))
