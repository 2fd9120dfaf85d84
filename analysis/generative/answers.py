"""Comparing a response with a reference answer, as the graders of GSM8K and SQuAD do."""

from __future__ import annotations

import re
import string

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)
# a number as people write it: an optional sign, thousands separators, a decimal part
_NUMBER = re.compile(r"-?\$?\d[\d,]*(?:\.\d+)?")
# GSM8K's reference answers end with "#### <answer>"
_GSM8K_FINAL = re.compile(r"####\s*(.+?)\s*$", re.S)


def normalise_answer(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces (the SQuAD evaluation script's
    ``normalize_answer``, Rajpurkar et al. 2016)."""
    lowered = text.lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", lowered).split())


def final_number(text: str) -> float | None:
    """The answer's number: after ``####`` when present (GSM8K's references), else the last number in
    the text (lm-evaluation-harness's "flexible-extract" for GSM8K); None without a number.

    Thousands separators and a dollar sign are dropped: ``"$1,200."`` → 1200.0.
    """
    marked = _GSM8K_FINAL.search(text)
    found = _NUMBER.findall(marked.group(1) if marked else text)
    if not found:
        return None
    try:
        return float(found[-1].replace(",", "").replace("$", ""))
    except ValueError:
        return None


def answer_matches(response: str, reference: str) -> bool:
    """Whether ``response`` gives the ``reference`` answer.

    When the reference holds a number, the final numbers must be equal (to 1e-6); otherwise the
    normalised texts must be equal (:func:`normalise_answer`).
    """
    expected = final_number(reference)
    if expected is not None:
        given = final_number(response)
        return given is not None and abs(given - expected) <= 1e-6 * max(1.0, abs(expected))
    return normalise_answer(response) == normalise_answer(reference)
