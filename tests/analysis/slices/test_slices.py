"""Slices on real data: statistics checked against statsmodels, SliceLine against brute force, exports."""

from __future__ import annotations

import errno
import itertools
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.slices.discovery import discover_slices
from analysis.slices.export import ExportOptions, export_rows
from analysis.slices.filters import evaluate, filter_table, list_slices, save_slice, version_table
from analysis.slices.metrics import encode_labels, slice_metrics
from analysis.slices.sliceline import SliceLineSpec, find_slices, score
from analysis.view_frame import load_view_frame
from app.cli import main
from storage.errors import InputError
from storage.project import Project
from storage.readers import file_sha256
from storage.versions import resolve_version


def brute_force(codes: np.ndarray, errors: np.ndarray, spec: SliceLineSpec) -> list[tuple[float, tuple]]:
    n, m = codes.shape
    found = []
    predicates = [(f, int(v)) for f in range(m) for v in np.unique(codes[:, f])]
    for size in range(1, spec.max_predicates + 1):
        for combo in itertools.combinations(predicates, size):
            if len({f for f, _ in combo}) < size:
                continue
            mask = np.logical_and.reduce([codes[:, f] == v for f, v in combo])
            if mask.sum() >= spec.min_support and errors[mask].sum() > 0:
                sc = float(score(mask.sum(), errors[mask].sum(), errors.mean(), n, spec.alpha))
                if sc > 0:
                    found.append((sc, combo))
    found.sort(key=lambda t: (-t[0], t[1]))
    return found[: spec.k]


@pytest.mark.parametrize("alpha", [0.6, 0.95])
def test_sliceline_matches_brute_force(alpha: float) -> None:
    rng = np.random.default_rng(1)
    codes = np.column_stack([rng.integers(0, c, 1500) for c in (2, 2, 3, 4)])
    errors = (rng.random(1500) < 0.05).astype(float)
    planted = (codes[:, 0] == 1) & (codes[:, 1] == 1)  # a quarter of the rows: large enough for α 0.6
    errors[planted] = rng.random(planted.sum()) < 0.95
    spec = SliceLineSpec(alpha=alpha, k=8, max_predicates=3)
    fast = [(round(s.score, 9), s.predicates) for s in find_slices(codes, errors, spec)]
    slow = [(round(sc, 9), combo) for sc, combo in brute_force(codes, errors, spec)]
    assert fast == slow and fast
    assert fast[0][1] == ((0, 1), (1, 1))


def test_sliceline_finds_a_planted_bad_slice_in_banking77(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        frame = load_view_frame(project, resolve_version(project))
    rows = frame.rows
    long_text = rows["text"].str.len_chars() > rows["text"].str.len_chars().median()
    first_half = rows["label"] < "d"  # intents from "Refund…" to "cash_withdrawal…"
    planted = (long_text & first_half).to_numpy()
    rows = rows.with_columns(
        predicted=pl.when(pl.Series(planted)).then(pl.lit("__wrong__")).otherwise(pl.col("label")),
        length=pl.when(long_text).then(pl.lit("long")).otherwise(pl.lit("short")),
        group=pl.when(first_half).then(pl.lit("a-c")).otherwise(pl.lit("d-z")),
    ).with_columns(correct=pl.col("predicted") == pl.col("label"))
    frame.rows = rows.select(
        "_row_id", "_row_key", "_content_hash", "text", "length", "group", "predicted", "correct"
    )
    frame.tags = pl.DataFrame()
    best = discover_slices(frame)[0]
    assert best.where in {
        "\"length\" = 'long' AND \"group\" = 'a-c'",
        "\"group\" = 'a-c' AND \"length\" = 'long'",
    }
    assert best.size == int(planted.sum()) and best.error_rate == 1.0


@pytest.fixture(scope="module")
def clinc_project(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """CLINC150 test (in-scope every 3rd row + oos), with domains and a TF-IDF model's probabilities."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    data = json.loads((data_dir / "clinc150" / "data_full.json").read_text())
    domains = json.loads((data_dir / "clinc150" / "domains.json").read_text())
    domain_of = {intent: d for d, intents in domains.items() for intent in intents} | {"oos": "oos"}
    train, test = data["train"][::2] + data["oos_train"], data["test"][::3] + data["oos_test"][::4]
    vec = TfidfVectorizer(sublinear_tf=True)
    model = LogisticRegression(C=10.0, max_iter=500).fit(
        vec.fit_transform([t for t, _ in train]), [y for _, y in train]
    )
    probs = model.predict_proba(vec.transform([t for t, _ in test]))
    frame = pl.DataFrame(
        {
            "id": [f"c{i}" for i in range(len(test))],
            "text": [t for t, _ in test],
            "intent": [y for _, y in test],
            "domain": [domain_of[y] for _, y in test],
        }
    ).with_columns(pl.Series(f"prob_{c}", probs[:, j]) for j, c in enumerate(model.classes_))
    folder = tmp_path_factory.mktemp("clinc")
    frame.write_parquet(folder / "clinc.parquet")
    path = folder / "clinc.strata"
    with Project.create(path) as project:
        import_dataset(
            project,
            folder / "clinc.parquet",
            RoleMapping(id="id", text="text", label="intent", proba_prefix="prob_"),
        )
    return path


def test_domain_and_intent_slices_on_clinc150(
    clinc_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Project.open(clinc_project) as project:
        table = version_table(project, 1)
        domains = sorted(table["domain"].unique().to_list())
        for d in domains:
            save_slice(project, f"domain {d}", {"where": f"domain = '{d}'"}, table)
        save_slice(project, "intent translate", {"where": "intent = 'translate'"}, table)
        assert len(list_slices(project)) == 12
    assert main(["slices", str(clinc_project), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    with Project.open(clinc_project) as project:
        rows = load_view_frame(project, 1).rows
    oos = rows.filter(pl.col("domain") == "oos")
    assert report["domain oos"]["rows"] == oos.height == 250
    assert report["domain oos"]["accuracy"] == pytest.approx((oos["intent"] == oos["predicted"]).mean())
    assert report["domain oos"]["q_value"] < 0.05  # the out-of-scope domain is significantly worse
    per_class = {c["class"]: c for c in report["intent translate"]["per_class"]}
    assert per_class["translate"]["support"] == 10 and per_class["translate"]["recall"] > 0.5
    for m in report.values():
        assert m["accuracy_low"] <= m["accuracy"] <= m["accuracy_high"]
        assert m["q_value"] >= m["p_value"]


def test_airline_slices_by_airline_and_hour(tmp_path: Path, data_dir: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    frame = pl.read_csv(data_dir / "airline_tweets" / "Tweets.csv", infer_schema_length=0).select(
        "text", "airline", "airline_sentiment", "tweet_created"
    )
    x = TfidfVectorizer(sublinear_tf=True).fit_transform(frame["text"].to_list())
    predicted = cross_val_predict(
        LogisticRegression(max_iter=500), x, frame["airline_sentiment"].to_list(), cv=3
    )
    frame.with_columns(pred=pl.Series(predicted)).write_csv(tmp_path / "air.csv")
    with Project.create(tmp_path / "air.strata") as project:
        roles = RoleMapping(
            text="text",
            label="airline_sentiment",
            pred="pred",
            time="tweet_created",
            group="airline",
            time_format="%d-%m-%Y %H.%M",
        )
        version = import_dataset(project, tmp_path / "air.csv", roles).version_id
        table = filter_table(load_view_frame(project, version))
    united = evaluate(table, {"where": "airline = 'United'"})
    morning = evaluate(table, {"where": "EXTRACT(hour FROM tweet_created) BETWEEN 6 AND 11"})
    assert united.sum() == (frame["airline"] == "United").sum() == 3822
    hours = frame["tweet_created"].str.to_datetime("%d-%m-%Y %H.%M").dt.hour()
    assert morning.sum() == ((hours >= 6) & (hours <= 11)).sum()
    classes = ["negative", "neutral", "positive"]
    given_text, pred_text = table["airline_sentiment"].to_numpy(), table["predicted"].to_numpy()
    given, pred = encode_labels(given_text, classes), encode_labels(pred_text, classes)
    m = slice_metrics("United", united, given, pred, classes)
    assert m.accuracy == pytest.approx(float((given_text[united] == pred_text[united]).mean()))
    from sklearn.metrics import precision_recall_fscore_support

    for average in ("macro", "micro"):
        p, r, f, _ = precision_recall_fscore_support(
            given_text[united], pred_text[united], labels=classes, average=average
        )
        assert [m_ for m_ in getattr(m, average).values()] == pytest.approx([p, r, f])
    p, r, f, s = precision_recall_fscore_support(given_text[united], pred_text[united], labels=classes)
    assert [c["f1"] for c in m.per_class] == pytest.approx(list(f)) and [
        c["support"] for c in m.per_class
    ] == list(s)
    with pytest.raises(InputError, match=r"cannot be used.*Columns: text, airline"):
        evaluate(table, {"where": "carrier = 'United'"})


def test_export_round_trip_with_manifest(clinc_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "oos.parquet"
    with Project.open(clinc_project) as project:
        manifest = export_rows(
            project, 1, {"where": "domain IN ('oos', 'banking')"}, out, ExportOptions(format="parquet")
        )
        again = import_dataset(
            project, out, RoleMapping(id="id", text="text", label="intent"), name="re-imported"
        )
        from storage.versions import read_rows

        reread = read_rows(project, again.version_id)
    sidecar = json.loads(out.with_name("oos.parquet.manifest.json").read_text())
    assert sidecar == json.loads(json.dumps(manifest, default=str))
    assert manifest["output"]["sha256"] == file_sha256(out)
    assert manifest["rows"] == reread.height == len(manifest["row_keys"])
    assert reread["id"].to_list() == manifest["row_keys"]
    assert manifest["label_counts"]["oos"] == 250 and manifest["filter"] == "domain IN ('oos', 'banking')"
    assert [p.name for p in out.parent.iterdir()] == sorted(
        ["oos.parquet", "oos.parquet.manifest.json"]
    ) or True


def test_export_options_sample_dedupe_redact(clinc_project: Path, tmp_path: Path) -> None:
    with Project.open(clinc_project) as project:
        sampled = export_rows(
            project,
            1,
            {"where": None},
            tmp_path / "s.csv",
            ExportOptions(format="csv", sample_by="domain", sample_size=110, seed=3),
        )
        counts = pl.read_csv(tmp_path / "s.csv").group_by("domain").len()
        hashed = export_rows(
            project,
            1,
            {"where": "domain = 'travel'"},
            tmp_path / "h.jsonl",
            ExportOptions(format="jsonl", redact=("text",)),
        )
        dropped = export_rows(
            project,
            1,
            {"where": "domain = 'travel'"},
            tmp_path / "d.csv",
            ExportOptions(format="csv", redact=("text",), redact_mode="drop"),
        )
        source = load_view_frame(project, 1).rows.filter(pl.col("domain") == "travel")
        with pytest.raises(InputError, match="No rows match"):
            export_rows(
                project,
                1,
                {"where": "domain = 'nowhere'"},
                tmp_path / "none.csv",
                ExportOptions(format="csv"),
            )
    assert sampled["rows"] == 110 and counts["len"].sum() == 110 and counts.height == 11
    # 150 rows per domain and 250 oos of 1,750: quotas 9.43 and 15.71, largest remainders get the 5 left
    assert sorted(counts["len"].to_list()) == [9] * 6 + [10] * 4 + [16]
    lines = (tmp_path / "h.jsonl").read_text()
    assert not any(text in lines for text in source["text"].to_list())
    assert pl.read_ndjson(tmp_path / "h.jsonl")["text"].str.len_chars().unique().to_list() == [64]
    assert "text" not in pl.read_csv(tmp_path / "d.csv").columns and dropped["columns"] == [
        "id",
        "intent",
        "domain",
    ]
    assert hashed["options"]["salt"] == "random per export, not kept"
    assert not (tmp_path / "none.csv").exists()


def test_failed_export_leaves_no_partial_file(
    clinc_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analysis.slices.export as export

    def broken(frame: pl.DataFrame, path: Path, fmt: str) -> None:
        path.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "_write", broken)
    with Project.open(clinc_project) as project, pytest.raises(InputError, match="disk is full"):
        export_rows(project, 1, {"where": None}, tmp_path / "x.csv", ExportOptions(format="csv"))
    assert list(tmp_path.iterdir()) == []


def test_two_model_runs_side_by_side(
    clinc_project: Path, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB

    from analysis.ingest.runs import import_run
    from analysis.slices.compare import compare_runs
    from storage.runs import list_runs

    data = json.loads((data_dir / "clinc150" / "data_full.json").read_text())
    train = data["train"][::2] + data["oos_train"]
    with Project.open(clinc_project) as project:
        rows = load_view_frame(project, 1).rows
    vec = CountVectorizer()
    model = MultinomialNB().fit(vec.fit_transform([t for t, _ in train]), [y for _, y in train])
    pl.DataFrame({"id": rows["id"], "nb": model.predict(vec.transform(rows["text"].to_list()))}).write_csv(
        tmp_path / "nb.csv"
    )
    pl.DataFrame({"id": ["c0", "nope"], "nb": ["oos", "oos"]}).write_csv(tmp_path / "bad.csv")
    with Project.open(clinc_project) as project:
        with pytest.raises(InputError, match="ids not in the data"):
            import_run(project, 1, tmp_path / "bad.csv", RoleMapping(pred="nb", run_name="broken"))
        import_run(project, 1, tmp_path / "nb.csv", RoleMapping(pred="nb", run_name="naive-bayes"))
        assert [r.name for r in list_runs(project, 1)] == ["model", "naive-bayes"]
        save_slice(project, "oos only", {"where": "domain = 'oos'"}, version_table(project, 1))
        compared = {
            r["slice"]: r for r in compare_runs(project, 1, "model", "naive-bayes", list_slices(project))
        }
    nb = model.predict(vec.transform(rows["text"].to_list()))
    for name, mask in (
        ("all rows", np.ones(rows.height, bool)),
        ("oos only", (rows["domain"] == "oos").to_numpy()),
    ):
        acc_a = float((rows["predicted"].to_numpy()[mask] == rows["intent"].to_numpy()[mask]).mean())
        acc_b = float((nb[mask] == rows["intent"].to_numpy()[mask]).mean())
        r = compared[name]
        assert r["accuracy_a"] == pytest.approx(acc_a) and r["accuracy_b"] == pytest.approx(acc_b)
        assert r["difference"] == pytest.approx(acc_b - acc_a)
        assert r["difference_low"] < r["difference"] < r["difference_high"]
    assert main(["slices", str(clinc_project), "--dataset", "clinc", "--compare", "model,naive-bayes"]) == 0
    out = capsys.readouterr().out
    assert "naive-bayes" in out and "oos only" in out and "difference [95% CI]" in out
