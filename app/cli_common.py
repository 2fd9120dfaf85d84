"""Small helpers shared by the ``strata`` subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path


def comma_list(text: str | None) -> tuple[str, ...]:
    """``"a, b,c"`` → ``("a", "b", "c")``; empty or None → ``()``."""
    return tuple(part.strip() for part in text.split(",") if part.strip()) if text else ()


def class_list(value: str | None) -> tuple[str, ...] | None:
    """``--classes``: a file with one class per line (or a JSON list), or ``a,b,c``; None if not given."""
    if not value:
        return None
    if Path(value).is_file():
        from analysis.ingest.importer import read_label_map

        mapping = read_label_map(value)
        return tuple(mapping.values() if isinstance(mapping, dict) else mapping)
    return comma_list(value)


def _number(kind: type, low: float | None, high: float | None, low_open: bool, text: str) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a {kind.__name__} number") from None
    if low is not None and (value <= low if low_open else value < low):
        raise argparse.ArgumentTypeError(
            f"{text} is out of range: it must be {'>' if low_open else '≥'} {low:g}"
        )
    if high is not None and value > high:
        raise argparse.ArgumentTypeError(f"{text} is out of range: it must be ≤ {high:g}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer ≥ 1."""
    return int(_number(int, 1, None, False, text))


def non_negative_int(text: str) -> int:
    """argparse type: an integer ≥ 0."""
    return int(_number(int, 0, None, False, text))


def unit_fraction(text: str) -> float:
    """argparse type: a number in (0, 1] (a fraction or a significance level)."""
    return _number(float, 0, 1, True, text)
