"""Error modes on real data: the sample, injected label noise, TweetEval, CLINC150, airline tweets, leaks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.errors.label_issues import VARIANTS, find_issues
from analysis.errors.modes.label_issue import PROBE
from analysis.errors.report import error_report
from analysis.errors.spec import TagSpec
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.probe import probe_probabilities
from analysis.map.neighbours import NeighboursSpec, knn_graph
from analysis.pipeline.runner import run_pipeline
from analysis.progress import NullProgress
from app.cli import main
from storage.embeddings import load_vectors
from storage.project import Project
from storage.runs import read_predictions
from storage.tags import read_row_tags
from storage.versions import read_rows, resolve_version

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from bench_label_noise import flips, scores


def tagged(tags: pl.DataFrame, mode: str) -> np.ndarray:
    return np.sort(tags.filter(pl.col("tag") == mode)["row_id"].to_numpy())


def test_sample_error_modes_agree_with_the_model_outputs(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        version = resolve_version(project)
        tags = read_row_tags(project, version)
        rows = read_rows(project, version, ["label"]).join(read_predictions(project, 1), on="_row_id")
        report = error_report(project, version)
    wrong = np.flatnonzero((rows["label"] != rows["predicted"]).to_numpy())
    assert np.array_equal(tagged(tags, "misclassified"), wrong) and wrong.size == 327
    assert np.array_equal(tagged(tags, "low_margin"), np.flatnonzero((rows["margin"] < 0.1).to_numpy()))
    assert np.array_equal(tagged(tags, "high_loss"), np.flatnonzero((rows["loss"] >= 2.302585).to_numpy()))
    assert set(tags["source"].unique()) == {"auto"} and tags["stage_key"].n_unique() == 1
    issues = tags.filter(pl.col("tag") == "label_issue")
    assert 10 <= issues.height <= 300
    for row_id, detail in issues.select("row_id", "detail").iter_rows():
        info = json.loads(detail)
        assert info["suggested"] != rows["label"][row_id] and info["probabilities"] == "model probabilities"
    overall = wrong.size / 3080
    assert report["error_clusters"] and all(
        c["error_rate"] > overall and c["q_value"] < 0.05 for c in report["error_clusters"]
    )
    outliers = tagged(tags, "outlier")
    assert abs(outliers.size - 0.02 * 3080) <= 2


@pytest.mark.slow  # 28 s of probe training; bench_label_noise.py measures the same choice on train
def test_the_default_label_issue_method_is_best_on_mean_f1(sample_project: Path) -> None:
    """BANKING77 test (the default was chosen on train) with 10% of labels flipped three ways: the
    default has the best mean F1 of the variants, and finds most flips in every case."""
    with Project.open(sample_project) as project:
        rows = read_rows(project, resolve_version(project), ["label"])
        vectors = load_vectors(project, 1, rows["_content_hash"].to_list())
    classes = sorted(rows["label"].unique().to_list())
    labels = np.array([classes.index(c) for c in rows["label"].to_list()])
    graph, _, _ = knn_graph(vectors, NeighboursSpec(), NullProgress(), "cpu")
    clean = probe_probabilities(vectors, labels, len(classes))[0]
    f1: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    for pattern in ("uniform", "class-dependent", "probe confusions"):
        noisy = flips(labels, vectors, len(classes), pattern, clean_probs=clean)
        probs = probe_probabilities(vectors, noisy, len(classes))[0]
        for variant in VARIANTS:
            measured = scores(find_issues(variant, noisy, probs, graph, len(classes)).mask, noisy != labels)
            f1[variant].append(measured["F1"])
            if variant == TagSpec().label_issue_method:
                assert measured["recall"] >= 0.55, (pattern, measured)
    means = {variant: float(np.mean(values)) for variant, values in f1.items()}
    assert max(means, key=means.__getitem__) == TagSpec().label_issue_method, means


def test_tweeteval_label_issues_come_from_the_probe(tmp_path: Path, data_dir: Path) -> None:
    folder = data_dir / "tweeteval" / "emotion"
    read = lambda name: (folder / name).read_text(encoding="utf-8").split("\n")[:-1]  # noqa: E731
    frame = pl.DataFrame(
        {
            "text": read("test_text.txt"),
            "label": read("test_labels.txt"),
            "pred": read("predictions_test_RoB-RT.txt"),
        }
    )
    frame.write_csv(tmp_path / "emotion.csv")
    with Project.create(tmp_path / "e.strata") as project:
        version = import_dataset(
            project,
            tmp_path / "emotion.csv",
            RoleMapping(text="text", label="label", pred="pred"),
            label_map=folder / "mapping.txt",
        ).version_id
        run_pipeline(project, version)
        tags = read_row_tags(project, version)
        report = error_report(project, version)
    issues = tags.filter(pl.col("tag") == "label_issue")
    assert issues.height > 20
    assert {json.loads(d)["probabilities"] for d in issues["detail"]} == {PROBE}
    assert any(PROBE in note for note in report["notes"])
    assert tagged(tags, "misclassified").size == int((frame["label"] != frame["pred"]).sum())
    assert "low_margin" not in set(tags["tag"])  # labels only: no margins


def test_clinc150_out_of_scope_rows_concentrate_in_outliers_and_error_clusters(
    tmp_path: Path, data_dir: Path
) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    data = json.loads((data_dir / "clinc150" / "data_full.json").read_text())
    train = data["train"][::2] + data["oos_train"]
    test = data["test"][::3] + data["oos_test"][::4]
    vectorizer = TfidfVectorizer(sublinear_tf=True)
    model = LogisticRegression(C=10.0, max_iter=500).fit(
        vectorizer.fit_transform([t for t, _ in train]), [y for _, y in train]
    )
    probs = model.predict_proba(vectorizer.transform([t for t, _ in test]))
    frame = pl.DataFrame({"text": [t for t, _ in test], "intent": [y for _, y in test]}).with_columns(
        pl.Series(f"prob_{c}", probs[:, j]) for j, c in enumerate(model.classes_)
    )
    frame.write_parquet(tmp_path / "clinc.parquet")
    with Project.create(tmp_path / "c.strata") as project:
        version = import_dataset(
            project,
            tmp_path / "clinc.parquet",
            RoleMapping(text="text", label="intent", proba_prefix="prob_"),
        ).version_id
        run_pipeline(project, version)
        tags = read_row_tags(project, version)
    oos = (frame["intent"] == "oos").to_numpy()
    base = oos.mean()
    lift = {
        mode: oos[tagged(tags, mode)].mean() / base for mode in ("outlier", "error_cluster", "misclassified")
    }
    print(f"CLINC150 oos lift over base rate {base:.3f}: {lift}")
    assert lift["outlier"] > 3.0, lift  # measured 5.2
    # measured 5.7 with PyTorch vectors and umap-learn's own run; 2.9-3.4 since the ONNX vectors and
    # the epoch-loop map (issue 12's note: to investigate); random clusters give about 1
    assert lift["error_cluster"] > 2.5, lift


def test_airline_disagreement_from_the_confidence_column(tmp_path: Path, data_dir: Path) -> None:
    project_path = tmp_path / "air.strata"
    source = data_dir / "airline_tweets" / "Tweets.csv"
    assert (
        main(
            [
                "import",
                str(project_path),
                str(source),
                "--label",
                "airline_sentiment",
                "--label-confidence",
                "airline_sentiment_confidence",
            ]
        )
        == 0
    )
    assert main(["tag", str(project_path), "--modes", "disagreement,exact_duplicate"]) == 0
    with Project.open(project_path) as project:
        tags = read_row_tags(project, resolve_version(project))
    confidence = pl.read_csv(source, infer_schema_length=0)["airline_sentiment_confidence"].cast(pl.Float64)
    expected = np.flatnonzero((confidence < TagSpec().min_annotator_confidence).to_numpy())
    assert np.array_equal(tagged(tags, "disagreement"), expected) and expected.size > 500


def test_planted_duplicates_across_splits_are_leaks(tmp_path: Path, data_dir: Path) -> None:
    train = (
        pl.read_csv(data_dir / "banking77" / "train.csv").gather_every(40).with_columns(split=pl.lit("train"))
    )
    test = (
        pl.read_csv(data_dir / "banking77" / "test.csv").gather_every(12).with_columns(split=pl.lit("test"))
    )
    planted_exact = train.head(10).with_columns(split=pl.lit("test"))
    planted_near = train.slice(10, 10).with_columns(
        pl.col("text").str.to_uppercase() + " please", split=pl.lit("test")
    )
    frame = pl.concat([train, test, planted_exact, planted_near]).with_row_index("id")
    frame.write_csv(tmp_path / "pair.csv")
    with Project.create(tmp_path / "d.strata") as project:
        version = import_dataset(
            project, tmp_path / "pair.csv", RoleMapping(id="id", text="text", label="category", split="split")
        ).version_id
        run_pipeline(project, version)
        tags = read_row_tags(project, version)
    leaks = set(tagged(tags, "split_leak").tolist())
    n_train, n_test = train.height, test.height
    exact_pairs = {(i, n_train + n_test + i) for i in range(10)}
    near_pairs = {(10 + i, n_train + n_test + 10 + i) for i in range(10)}
    assert all(a in leaks and b in leaks for a, b in exact_pairs)
    found_near = sum(a in leaks and b in leaks for a, b in near_pairs)
    assert found_near >= 8, found_near
    assert {a for a, _ in exact_pairs} <= set(tagged(tags, "exact_duplicate").tolist())


def test_errors_command_names_clusters_and_label_issues(
    sample_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["errors", str(sample_project), "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "Error-dense clusters" in out and "Top label issues (given → suggested):" in out
    assert main(["errors", str(sample_project), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["modes"]["misclassified"]["rows"] == 327
    assert (
        len(report["label_issues"]) == 10
        and report["label_issues"][0]["score"] >= report["label_issues"][-1]["score"]
    )


def test_knn_scores_ignore_neighbours_that_do_not_vote() -> None:
    from analysis.errors.label_issues import knn_label_disagreement, knn_suggestion

    graph = np.array([[1, 2, -1], [0, -1, -1], [-1, -1, -1]], dtype=np.int32)
    labels = np.array([0, 1, 1])
    assert knn_label_disagreement(graph, labels).tolist() == [1.0, 1.0, 0.0]
    assert knn_suggestion(graph, labels, 2).tolist() == [1, 0, 0]
