"""Agreement measures on ConvAbuse, checked against the reference packages on the same matrix built
straight from the file (the csv module, not Strata's import)."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import krippendorff
import numpy as np
import polars as pl
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from analysis.labeling.agreement import fleiss_kappa, specific_agreement
from analysis.labeling.agreement_report import AgreementResult, compute_agreement
from analysis.labeling.consensus import vote_probabilities
from analysis.labeling.matrix import annotation_matrix, label_order

SCALE = ["1", "0", "-1", "-2", "-3"]


def first_labels(path: Path) -> dict[tuple[int, int], list[int]]:
    """(row, annotator 1..8) → the is_abuse values the annotator gave, in order, read from a ConvAbuse
    split file with the csv module."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, out = rows[0], {}
    for r, row in enumerate(rows[1:]):
        for a in range(1, 9):
            cells = [row[header.index(f"Annotator{a}_is_abuse.{v}")] for v in SCALE]
            if cells[0]:
                out[(r, a)] = [
                    int(SCALE[[b.strip() for b in bits].index("1")])
                    for bits in zip(*(c.split(",") for c in cells), strict=True)
                ]
    return out


@pytest.fixture(scope="module")
def raw(data_dir: Path) -> dict[tuple[int, int], list[int]]:
    return first_labels(data_dir / "convabuse" / "ConvAbuseEMNLPtrain.csv")


@pytest.fixture(scope="module")
def annotations(raw: dict[tuple[int, int], list[int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(r, f"Annotator{a}", str(v)) for (r, a), values in sorted(raw.items()) for v in values],
        schema=["row_id", "annotator", "label"],
        orient="row",
    )


@pytest.fixture(scope="module")
def result(annotations: pl.DataFrame) -> AgreementResult:
    return compute_agreement(annotations, SCALE)


def reference_matrix(raw: dict[tuple[int, int], list[int]]) -> np.ndarray:
    """(8, n) annotators × rows of each annotator's first value, NaN where none (the package's input)."""
    rows = sorted({r for r, _ in raw})
    data = np.full((8, len(rows)), np.nan)
    for (r, a), values in raw.items():
        data[a - 1, rows.index(r)] = values[0]
    return data


def test_alpha_matches_the_krippendorff_package_on_convabuse(
    raw: dict[tuple[int, int], list[int]], result: AgreementResult
) -> None:
    data = reference_matrix(raw)
    nominal = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    ordinal = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal")
    assert result.alpha_nominal == pytest.approx(nominal, abs=1e-12)
    assert result.alpha_ordinal == pytest.approx(ordinal, abs=1e-12)
    # the published figures' order: the scale's order matters (nominal ignores it)
    assert 0.40 < result.alpha_nominal < result.alpha_ordinal < 0.70
    assert result.annotators == tuple(f"Annotator{a}" for a in range(1, 9))
    assert result.labels == tuple(SCALE) and result.ordered_by == "scale"


def test_cohen_kappa_per_pair_matches_sklearn(
    raw: dict[tuple[int, int], list[int]], result: AgreementResult
) -> None:
    data = reference_matrix(raw)
    for a, b in itertools.combinations(range(8), 2):
        both = ~np.isnan(data[a]) & ~np.isnan(data[b])
        assert result.shared[a, b] == both.sum()
        if both.sum() >= 2:
            expected = cohen_kappa_score(data[a, both].astype(int), data[b, both].astype(int))
            assert result.cohen[a, b] == pytest.approx(expected, abs=1e-12)
            assert result.cohen[b, a] == result.cohen[a, b]
        else:
            assert np.isnan(result.cohen[a, b])
    assert np.isfinite(result.cohen).sum() > 30  # most pairs share rows in ConvAbuse


def test_fleiss_matches_statsmodels_where_every_row_has_the_same_annotators_count(
    annotations: pl.DataFrame, result: AgreementResult
) -> None:
    counts = annotation_matrix(annotations, SCALE).counts
    for size in (2, 3):
        same = counts[counts.sum(axis=1) == size]
        assert len(same) > 100
        assert fleiss_kappa(same) == pytest.approx(statsmodels_fleiss(same), abs=1e-12)
    assert 0.35 < result.fleiss < 0.5  # close to nominal alpha, as the two should be on many rows


def test_repeats_set_aside_and_counted(
    raw: dict[tuple[int, int], list[int]], result: AgreementResult
) -> None:
    repeats = [v for values in raw.values() for v in values[1:]]
    same = sum(v == values[0] for values in raw.values() for v in values[1:])
    assert result.repeats == len(repeats) > 200 and result.repeats_same == same
    assert result.annotations == len(raw)


def test_specific_agreement_by_hand() -> None:
    # row 1: a a b; row 2: a a; row 3: b c (labels a, b, c)
    counts = np.array([[2, 1, 0], [2, 0, 0], [0, 1, 1]])
    # a: pairs agreeing 2 + 2 = 4 over pairs including a 2*2 + 2*1 = 6; b: 0 over 1*2 + 1*1; c: 0 over 1
    assert specific_agreement(counts).tolist() == pytest.approx([4 / 6, 0.0, 0.0])
    assert np.isnan(specific_agreement(np.array([[2, 0], [1, 1]]))).tolist() == [False, False]
    assert np.isnan(specific_agreement(np.array([[2, 0, 0]]))[2])


def test_per_label_agreement_on_convabuse(result: AgreementResult) -> None:
    specific = dict(zip(result.labels, result.specific, strict=True))
    # "not abusive" is recognised reliably, "ambiguous" hardly: what the paper's discussion says
    assert specific["1"] > 0.85 and specific["0"] < 0.3
    assert result.label_counts.sum() == result.annotations


def test_consensus_quality_and_the_most_disagreed_rows(
    raw: dict[tuple[int, int], list[int]], result: AgreementResult
) -> None:
    consensus = dict(zip(result.consensus["row_id"], result.consensus["consensus"], strict=True))
    firsts: dict[int, list[int]] = {}
    for (r, _), values in raw.items():
        firsts.setdefault(r, []).append(values[0])
    unanimous = [r for r, v in firsts.items() if len(set(v)) == 1]
    assert all(consensus[r] == str(firsts[r][0]) for r in unanimous)
    ranked = result.disagreements
    assert set(ranked["row_id"]).isdisjoint(unanimous)
    assert ranked.height == len(firsts) - len(unanimous)
    top = ranked.row(0, named=True)
    values = firsts[top["row_id"]]
    top_share = max(values.count(v) for v in set(values)) / len(values)
    assert top["disagreement"] == pytest.approx(1 - top_share)
    assert ranked["disagreement"].is_sorted(descending=True)
    # the annotator who agrees least with the others gets the lowest CROWDLAB quality
    table = result.annotator_table
    assert table["annotator"][-1] == table.sort("agreement")["annotator"][0] == "Annotator5"
    assert result.probabilities_source == "votes"


def test_label_order_and_vote_probabilities() -> None:
    assert label_order(["10", "9", "-1"]) == (("-1", "9", "10"), "numeric")
    assert label_order(["b", "a"]) == (("a", "b"), "name")
    assert label_order(["x", "b", "a"], ["b", "a"]) == (("b", "a", "x"), "scale")
    probs = vote_probabilities(np.array([[2, 0, 0], [1, 1, 0]]))
    np.testing.assert_allclose(probs, [[3 / 5, 1 / 5, 1 / 5], [2 / 5, 2 / 5, 1 / 5]])
    frame = pl.DataFrame({"row_id": [0, 0, 1], "annotator": ["A", "A", "B"], "label": ["x", "y", "x"]})
    matrix = annotation_matrix(frame)
    assert matrix.codes.tolist() == [[0, -1], [-1, 0]] and matrix.repeats == 1 and matrix.repeats_same == 0
