"""The table's text search on the real emoji tweets: the same rows as lower-casing every text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.text_search import text_matches


@pytest.fixture(scope="module")
def tweets(data_dir: Path) -> pl.Series:
    lines = (data_dir / "tweeteval" / "emoji" / "test_text.txt").read_text(encoding="utf-8").splitlines()
    return pl.Series("text", [*lines, None])


@pytest.mark.parametrize("needle", ["coffee", "LOVE you", "@user", "(", ".", "#", "é", "É", "Ş", "❤"])
def test_matches_are_the_lowercased_literal_matches(tweets: pl.Series, needle: str) -> None:
    found = text_matches(tweets, needle)
    expected = tweets.str.to_lowercase().str.contains(needle.lower(), literal=True).fill_null(False)
    assert found.dtype == np.bool_ and found.shape == (tweets.len(),)
    assert np.array_equal(found, expected.to_numpy())
    assert not found[-1]  # a missing text matches nothing


def test_some_needles_match_and_empty_matches_all(tweets: pl.Series) -> None:
    assert 0 < text_matches(tweets, "Coffee").sum() < 1000
    assert text_matches(tweets, ".*").sum() == tweets.str.contains(".*", literal=True).sum()
    assert text_matches(tweets, "").all()
    assert text_matches(pl.Series([1, 12, 3]), "1").tolist() == [True, True, False]
