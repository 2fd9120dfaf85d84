"""Checks of one response against its run and its prompt: truncation, length outliers, copying."""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import NDArray

from analysis.generative.answers import normalise_answer

# a response that stops here ended a thought: sentence punctuation, a closing bracket or quote, a code
# fence, an emoji or symbol; a letter, digit or comma at the end looks cut off
_ENDED = re.compile(r"[.!?;:)\]}\"'`*…»”’>|\u2600-\U0010ffff]\s*$")
CAP_SHARE = 0.98


def truncated(responses: list[str], tokens: NDArray[np.float64]) -> NDArray[np.bool_]:
    """bool (n,): responses that stop mid-sentence at the run's length cap.

    A response is truncated when it does not end a sentence (letter, digit or comma last) and its
    token count is at least 98% of the longest response of the run: generation stopped by
    ``max_new_tokens``, not by the model. ``tokens`` is float64 (n,), NaN where unanswered.
    """
    answered = ~np.isnan(tokens)
    if not answered.any():
        return np.zeros(len(responses), dtype=bool)
    cap = np.nanmax(tokens)
    open_end = np.array([bool(r.strip()) and not _ENDED.search(r) for r in responses])
    at_cap: NDArray[np.bool_] = answered & open_end & (np.nan_to_num(tokens) >= CAP_SHARE * cap) & (cap > 0)
    return at_cap


def length_outliers(tokens: NDArray[np.float64], whisker: float = 1.5) -> NDArray[np.int8]:
    """int8 (n,): -1 too short, +1 too long, 0 otherwise, against the run's distribution.

    Tukey's fences on log(1 + tokens): below Q1 − 1.5·IQR or above Q3 + 1.5·IQR. Lengths are
    right-skewed, so the fences are set on the log scale; empty responses are left to
    ``empty_response``.
    """
    out = np.zeros(tokens.size, dtype=np.int8)
    keep = ~np.isnan(tokens) & (tokens > 0)
    if keep.sum() < 4:
        return out
    logs = np.log1p(tokens[keep])
    q1, q3 = np.percentile(logs, [25, 75])
    low, high = q1 - whisker * (q3 - q1), q3 + whisker * (q3 - q1)
    values = np.where(keep, np.log1p(np.nan_to_num(tokens)), np.nan)
    out[keep & (values < low)] = -1
    out[keep & (values > high)] = 1
    return out


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = normalise_answer(text).split()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def prompt_copy_share(response: str, prompt: str) -> float:
    """Share of the response's word 3-grams (normalised words) that appear in the prompt; for responses
    under three words, 1.0 when the normalised texts are equal, else 0.0."""
    grams = _trigrams(response)
    if not grams:
        same = normalise_answer(response) == normalise_answer(prompt) and bool(response.strip())
        return 1.0 if same else 0.0
    return len(grams & _trigrams(prompt)) / len(grams)
