"""The filter builder's SQL, run on BANKING77 train: each operator selects what it says, values and
names are quoted, typed values are checked, and joined conditions keep the order they were built in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.slices.builder import BuildError, FilterColumn, combine, condition, filter_columns
from analysis.slices.filters import evaluate


@pytest.fixture(scope="module")
def table(data_dir: Path) -> pl.DataFrame:
    rows = pl.read_csv(data_dir / "banking77" / "train.csv")
    return rows.with_columns(
        length=pl.col("text").str.len_chars(),
        tag_card=pl.col("category").str.starts_with("card"),
        **{'odd "name"': pl.col("category").str.len_chars() % 2 == 1},
    )


def run(table: pl.DataFrame, where: str) -> np.ndarray:
    return evaluate(table, {"where": where})


def test_columns_offered_with_their_kinds(table: pl.DataFrame) -> None:
    columns = filter_columns(table.with_columns(_row_id=pl.int_range(pl.len())), "text")
    assert columns[0] == FilterColumn("text", "text")
    kinds = {c.name: c.kind for c in columns}
    assert kinds == {
        "text": "text",
        "category": "text",
        "length": "number",
        "tag_card": "boolean",
        'odd "name"': "boolean",
    }


def test_text_operators_select_what_they_say(table: pl.DataFrame) -> None:
    text = table["text"]
    where = condition("category", "=", "card_arrival", "text")
    assert where == "\"category\" = 'card_arrival'"
    assert np.array_equal(run(table, where), (table["category"] == "card_arrival").to_numpy())
    assert np.array_equal(
        run(table, condition("category", "!=", "card_arrival", "text")),
        (table["category"] != "card_arrival").to_numpy(),
    )
    contains = run(table, condition("text", "contains", "REFUND", "text"))
    assert np.array_equal(contains, text.str.to_lowercase().str.contains("refund", literal=True).to_numpy())
    assert 0 < contains.sum() < table.height
    # an apostrophe is quoted, not the end of the value
    hasnt = run(table, condition("text", "contains", "hasn't arrived", "text"))
    assert hasnt.sum() == text.str.to_lowercase().str.contains("hasn't arrived", literal=True).sum() > 0
    regex = run(table, condition("text", "matches regex", r"^Why .*\?$", "text"))
    assert np.array_equal(regex, text.str.contains(r"^Why .*\?$").to_numpy()) and regex.any()


def test_contains_takes_percent_and_underscore_literally(table: pl.DataFrame) -> None:
    # ILIKE has no escape in polars: '%5%%' would match every text with a 5; the builder escapes
    percent = run(table, condition("text", "contains", "5%", "text"))
    assert percent.sum() == table["text"].str.contains("5%", literal=True).sum() == 1
    underscore = run(table, condition("text", "contains", "TOP_UP", "text"))
    expected = table["text"].str.to_lowercase().str.contains("top_up", literal=True)
    assert np.array_equal(underscore, expected.to_numpy())
    assert run(table, condition("text", "contains", "top up", "text")).sum() > 100  # '_' is not any char
    dots = run(table, condition("text", "contains", "2.5", "text"))  # a dot is not "any character"
    assert dots.sum() == table["text"].str.contains("2.5", literal=True).sum()


def test_numbers_and_booleans_are_checked(table: pl.DataFrame) -> None:
    assert condition("length", "<", " 20 ", "number") == '"length" < 20'
    assert np.array_equal(run(table, condition("length", ">=", "1e2", "number")), table["length"] >= 100)
    for bad in ("twenty", "1 OR 1=1", "nan", ""):
        with pytest.raises(BuildError, match="holds numbers"):
            condition("length", "<", bad, "number")
    with pytest.raises(BuildError, match="text columns"):
        condition("length", "contains", "2", "number")
    assert condition("tag_card", "=", "", "boolean") == '"tag_card" = true'
    assert np.array_equal(run(table, condition("tag_card", "!=", "True", "boolean")), ~table["tag_card"])
    with pytest.raises(BuildError, match="true or false"):
        condition("tag_card", "=", "maybe", "boolean")
    with pytest.raises(BuildError, match="use = or !="):
        condition("tag_card", "<", "true", "boolean")
    # a text column's value "true" is text, not a boolean
    assert condition("category", "=", "true", "text") == "\"category\" = 'true'"


def test_any_column_name_is_quoted(table: pl.DataFrame) -> None:
    where = condition('odd "name"', "=", "yes", "boolean")
    assert where == '"odd ""name""" = true'
    assert np.array_equal(run(table, where), table['odd "name"'].to_numpy())


def test_joined_conditions_keep_the_order_they_were_built_in(table: pl.DataFrame) -> None:
    arrival = condition("category", "=", "card_arrival", "text")
    short = condition("length", "<", "30", "number")
    card = condition("tag_card", "=", "true", "boolean")
    either = combine(combine("", arrival), short, "OR")
    assert either == '"category" = \'card_arrival\' OR "length" < 30'
    both = combine(either, card, "AND")
    assert both.startswith("(") and both.endswith('AND "tag_card" = true')
    a, s, c = (table["category"] == "card_arrival"), (table["length"] < 30), table["tag_card"]
    assert np.array_equal(run(table, both), ((a | s) & c).to_numpy())
    not_card = combine(arrival, card, "AND NOT")
    assert np.array_equal(run(table, not_card), (a & ~c).to_numpy())
    assert combine("a AND b", "c", "OR") == "a AND b OR c"  # SQL reads this as built
    with pytest.raises(BuildError, match="joiner"):
        combine("a", "b", "XOR")
