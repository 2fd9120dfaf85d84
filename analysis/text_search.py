"""The table's text search: which rows contain a piece of text, ignoring case."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
from numpy.typing import NDArray


def text_matches(texts: pl.Series, needle: str) -> NDArray[np.bool_]:
    """Which of ``texts`` contain ``needle`` as it is typed, ignoring case.

    Parameters
    ----------
    texts : polars.Series
        One value per row (cast to strings; nulls match nothing).
    needle : str
        The text to find, taken literally (``.``, ``*``, ``(`` are plain characters); leading and
        trailing spaces count.

    Returns
    -------
    numpy.ndarray
        bool (n,).

    Notes
    -----
    A case-insensitive regular expression of the escaped needle (polars' Rust ``regex``, which finds
    the literal with its substring search): about 0.1 s over a million tweets on this machine, where
    lower-casing every text first and matching the lower-cased needle takes 0.5 s for the same rows
    (tested equal on the emoji tweets, accented letters included; the two differ only where
    lower-casing changes a letter's length, as the Turkish "İ" becomes "i̇").
    """
    if not needle:
        return np.ones(texts.len(), dtype=bool)
    found = texts.cast(pl.String).str.contains("(?i)" + re.escape(needle))
    return found.fill_null(False).to_numpy().astype(bool, copy=False)
