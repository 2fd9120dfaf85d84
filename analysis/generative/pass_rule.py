"""The rule that turns an evaluator's output into passed / failed: a threshold on a numeric score
(``>= 1.5``), a boolean column, or a match against the reference answer."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from storage.errors import InputError

OPERATORS: dict[str, Callable[[NDArray[np.float64], float], NDArray[np.bool_]]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
MATCH = "match"
_RULE = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
TRUE_WORDS = {"true", "yes", "pass", "passed", "1", "1.0", "y", "t"}
FALSE_WORDS = {"false", "no", "fail", "failed", "0", "0.0", "n", "f"}


@dataclass(frozen=True)
class PassRule:
    """``score <op> threshold`` (e.g. ``>= 1.5``), or ``match``: the response matches the reference.

    Attributes
    ----------
    op : str
        One of ``>=``, ``>``, ``<=``, ``<``, ``==``, ``!=``, or ``match``.
    threshold : float
        The threshold (unused by ``match``).
    """

    op: str
    threshold: float = 0.0

    @classmethod
    def parse(cls, text: str) -> PassRule:
        """Read a rule as a user writes it: ``">= 1.5"``, ``"> 0"`` or ``"match"``.

        Raises
        ------
        InputError
            For anything else, with the forms that are understood.
        """
        if text.strip().lower() == MATCH:
            return cls(MATCH)
        found = _RULE.match(text)
        if found is None:
            raise InputError(
                f"--pass-if '{text}' is not a rule: write an operator and a number, e.g. '>= 1.5' or '> 0' "
                "(operators >=, >, <=, <, ==, !=), or 'match' to pass responses that match --reference."
            )
        return cls(found.group(1), float(found.group(2)))

    def describe(self, score: str | None) -> str:
        """The rule in words, e.g. ``preference >= 1.5``."""
        if self.op == MATCH:
            return "response matches the reference answer"
        return f"{score} {self.op} {self.threshold:g}"

    def apply(self, scores: NDArray[np.float64]) -> list[bool | None]:
        """The verdict per score: float64 (n,) → passed, None where the score is NaN (no verdict)."""
        if self.op == MATCH:
            raise ValueError("a 'match' rule is applied to the responses, not to a score")
        verdict = OPERATORS[self.op](scores, self.threshold)
        return [None if np.isnan(s) else bool(v) for s, v in zip(scores, verdict, strict=True)]


def read_passed(column: pl.Series, source: str) -> list[bool | None]:
    """A pass/fail column as verdicts: booleans, 0/1, or words (true/false, yes/no, pass/fail).

    Raises
    ------
    InputError
        When a value is none of those; the message names the values and rows.
    """
    if column.dtype == pl.Boolean:
        return column.to_list()
    words = column.cast(pl.String).str.strip_chars().str.to_lowercase()
    known = words.is_in(TRUE_WORDS | FALSE_WORDS) | words.is_null() | (words == "")
    if not known.all():
        bad = column.filter(~known)
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(~known.to_numpy())[:5])
        raise InputError(
            f"{source}: --passed column '{column.name}' holds {bad.n_unique()} value(s) that are not "
            f"pass/fail (e.g. {bad.head(3).to_list()}, data rows {rows}); use true/false, 1/0, yes/no or "
            "pass/fail, or give a numeric --score with --pass-if."
        )
    return [None if w is None or w == "" else w in TRUE_WORDS for w in words.to_list()]
