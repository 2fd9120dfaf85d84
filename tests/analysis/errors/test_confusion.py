"""Class-pair counts (the confusion matrix and a diff's label changes) on BANKING77's labels, checked
against scikit-learn, with the rows behind each cell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import confusion_matrix

from analysis.class_pairs import count_pairs
from analysis.errors.confusion import confusion_pairs


@pytest.fixture(scope="module")
def rows(banking_small: Path) -> pl.DataFrame:
    """600 BANKING77 rows; as 'predicted', the label of the row 40 places on in each block of 80 rows
    (a real label set with a known, lopsided confusion), and a few missing values on either side."""
    frame = (
        pl.read_csv(banking_small).with_row_index("_row_id").with_columns(pl.col("_row_id").cast(pl.Int64))
    )
    shifted = frame["category"].to_list()
    predicted = [
        shifted[i + 40] if i % 80 < 40 and i + 40 < len(shifted) else c for i, c in enumerate(shifted)
    ]
    predicted[3] = None
    label = frame["category"].to_list()
    label[7] = None
    return frame.with_columns(
        label=pl.Series(label, dtype=pl.String),
        predicted=pl.Series(predicted, dtype=pl.String),
        _row_key=pl.col("id"),
    )


def test_counts_match_scikit_learn_and_follow_the_project_order(rows: pl.DataFrame) -> None:
    order = sorted(set(rows["category"]), reverse=True)  # any project order the views use
    pairs = confusion_pairs(rows, "label", classes=order, order=order)
    assert list(pairs.classes) == order and pairs.colour_indices.tolist() == list(range(len(order)))
    kept = rows.filter(pl.col("label").is_not_null() & pl.col("predicted").is_not_null())
    expected = confusion_matrix(kept["label"], kept["predicted"], labels=order)
    np.testing.assert_array_equal(pairs.counts, expected)
    assert pairs.total == 598 and np.isclose(pairs.agreement, np.trace(expected) / 598)


def test_pairs_are_largest_first_and_their_rows_are_the_cells_rows(rows: pl.DataFrame) -> None:
    pairs = confusion_pairs(rows, "label")
    listed = pairs.pairs()
    assert len(listed) >= 5
    off = pairs.counts - np.diag(np.diag(pairs.counts))
    assert [p.count for p in listed] == sorted(off[off > 0].tolist(), reverse=True)
    assert all(p.first != p.second for p in listed)
    for pair in listed[:5]:
        given, predicted = pairs.classes[pair.first], pairs.classes[pair.second]
        cell = rows.filter((pl.col("label") == given) & (pl.col("predicted") == predicted))
        assert pairs.rows(pair.first, pair.second).tolist() == sorted(cell["_row_id"].to_list())
        assert sorted(pairs.keys(pair.first, pair.second)) == sorted(cell["_row_key"].to_list())
        assert pair.share == pytest.approx(pair.count / int(pairs.counts[pair.first].sum()))
        text = pairs.describe(pair.first, pair.second)
        assert text.startswith(f"given {given} → predicted {predicted}: {pair.count} row")


def test_classes_outside_the_order_come_after_it_and_lengths_must_agree() -> None:
    pairs = count_pairs(["b", "a", "z", None], ["a", "a", "b", "a"], order=["b", "a"], names=("from", "to"))
    assert pairs.classes == ("b", "a", "z") and pairs.counts.tolist() == [[0, 1, 0], [0, 1, 0], [1, 0, 0]]
    assert pairs.rows(2, 0).tolist() == [2] and pairs.describe(2, 0) == "from z → to b: 1 row"
    with pytest.raises(ValueError, match="without row keys"):
        pairs.keys(2, 0)
    with pytest.raises(ValueError):
        count_pairs(["a"], ["a", "b"])
