"""The airline tweets with their time parsed, shared by the drift tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest


@pytest.fixture(scope="module")
def airline(data_dir: Path) -> pl.DataFrame:
    return pl.read_csv(data_dir / "airline_tweets" / "Tweets.csv", infer_schema_length=0).with_columns(
        ts=pl.col("tweet_created").str.strptime(pl.Datetime, "%d-%m-%Y %H.%M"),
        airline_sentiment_confidence=pl.col("airline_sentiment_confidence").cast(pl.Float64),
    )
