"""Import of real datasets in every format, and every import error, which must leave the project as it was."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import func, select

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping, guess_roles
from analysis.summary import run_accuracy
from storage.errors import InputError
from storage.project import Project
from storage.runs import read_predictions
from storage.schema import AuditLog, Dataset, DatasetVersion, ModelRun, Prediction
from storage.versions import read_rows


def lines(path: Path) -> list[str]:
    # TweetEval texts hold other line-break characters: split on "\n" only.
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def snapshot(project: Project) -> tuple[int, ...]:
    with project.session() as s:
        counts = tuple(
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (Dataset, DatasetVersion, ModelRun, Prediction, AuditLog)
        )
    with project.engine.connect() as conn:
        tables = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar()
    return (*counts, int(tables or 0))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    with Project.create(tmp_path / "p.strata") as p:
        yield p


def test_banking77_csv(project: Project, data_dir: Path) -> None:
    result = import_dataset(
        project, data_dir / "banking77" / "test.csv", RoleMapping(text="text", label="category")
    )
    assert result.rows == 3080 and result.run_id is None
    rows = read_rows(project, result.version_id)
    source = pl.read_csv(data_dir / "banking77" / "test.csv")
    assert rows["text"].to_list() == source["text"].to_list()
    assert rows["category"].n_unique() == 77
    assert rows["_row_id"].to_list() == list(range(3080))
    # no id column: the row key is the text's content hash
    assert rows["_row_key"].to_list() == rows["_content_hash"].to_list()


def test_clinc150_json_as_jsonl_and_parquet(project: Project, data_dir: Path, tmp_path: Path) -> None:
    data = json.loads((data_dir / "clinc150" / "data_full.json").read_text())
    frame = pl.concat(
        pl.DataFrame(rows, schema=["text", "intent"], orient="row").with_columns(split=pl.lit(name))
        for name, rows in data.items()
    ).with_row_index("id")
    frame.write_ndjson(tmp_path / "clinc.jsonl")
    frame.write_parquet(tmp_path / "clinc.parquet")
    roles = RoleMapping(id="id", text="text", label="intent", split="split")
    a = import_dataset(project, tmp_path / "clinc.jsonl", roles, name="clinc-jsonl")
    b = import_dataset(project, tmp_path / "clinc.parquet", roles, name="clinc-parquet")
    assert a.rows == b.rows == 23_700
    rows = read_rows(project, b.version_id)
    assert rows.filter(pl.col("intent") == "oos").height == 1200
    assert rows["split"].value_counts().sort("split")["count"].to_list() == [
        1000,
        100,
        100,
        4500,
        15000,
        3000,
    ]
    assert read_rows(project, a.version_id).drop("_content_hash").equals(rows.drop("_content_hash"))


def test_tweeteval_emotion_with_real_predictions(project: Project, data_dir: Path, tmp_path: Path) -> None:
    folder = data_dir / "tweeteval" / "emotion"
    frame = pl.DataFrame(
        {
            "text": lines(folder / "test_text.txt"),
            "label": [int(x) for x in lines(folder / "test_labels.txt")],
            "pred": [int(x) for x in lines(folder / "predictions_test_RoB-RT.txt")],
        }
    )
    frame.write_ipc(tmp_path / "emotion.arrow")
    result = import_dataset(
        project,
        tmp_path / "emotion.arrow",
        RoleMapping(text="text", label="label", pred="pred"),
        label_map=folder / "mapping.txt",
    )
    assert result.rows == 1421 and result.run_id is not None
    rows = read_rows(project, result.version_id)
    assert set(rows["label"].unique()) == {"anger", "joy", "optimism", "sadness"}
    predictions = read_predictions(project, result.run_id)
    assert predictions["confidence"].null_count() == 1421  # labels only: no probabilities
    accuracy = run_accuracy(project, result.version_id, result.run_id, "label")
    assert accuracy == pytest.approx(float((frame["label"] == frame["pred"]).mean()))
    assert accuracy == pytest.approx(0.834, abs=0.03)


def test_airline_tweets_tsv_with_time_format(project: Project, data_dir: Path, tmp_path: Path) -> None:
    frame = pl.read_csv(data_dir / "airline_tweets" / "Tweets.csv", infer_schema_length=0)
    frame.write_csv(tmp_path / "tweets.tsv", separator="\t")
    roles = RoleMapping(
        text="text",
        label="airline_sentiment",
        time="tweet_created",
        group="airline",
        time_format="%d-%m-%Y %H.%M",
    )
    result = import_dataset(project, tmp_path / "tweets.tsv", roles)
    rows = read_rows(project, result.version_id)
    assert rows.height == 14_640
    assert rows.schema["tweet_created"] == pl.Datetime("us")
    assert (
        str(rows["tweet_created"].min())[:10] == "2015-02-16"
        and str(rows["tweet_created"].max())[:10] == "2015-02-24"
    )


def test_probabilities_in_a_separate_file_and_scores(project: Project) -> None:
    from resources import SAMPLE_DATA, SAMPLE_OUTPUTS

    roles = RoleMapping(id="id", text="text", label="label", pred="predicted", proba_prefix="prob_")
    result = import_dataset(project, SAMPLE_DATA, roles, outputs_path=SAMPLE_OUTPUTS)
    predictions = read_predictions(project, result.run_id or -1)
    outputs = pl.read_parquet(SAMPLE_OUTPUTS)
    probs = outputs.select(pl.selectors.starts_with("prob_")).to_numpy()
    top2 = np.sort(probs, axis=1)[:, -2:]
    assert np.allclose(predictions["margin"].to_numpy(), top2[:, 1] - top2[:, 0], atol=1e-6)
    assert (predictions["predicted"] == outputs["predicted"]).all()
    assert predictions["loss"].min() >= 0


def test_dataset_without_text_imports(project: Project, data_dir: Path, tmp_path: Path) -> None:
    folder = data_dir / "tweeteval" / "hate"
    frame = pl.DataFrame(
        {
            "label": [int(x) for x in lines(folder / "test_labels.txt")],
            "pred": [int(x) for x in lines(folder / "predictions_test_RoB-RT.txt")],
        }
    ).with_row_index("id")
    frame.write_csv(tmp_path / "hate_outputs.csv")
    result = import_dataset(
        project, tmp_path / "hate_outputs.csv", RoleMapping(id="id", label="label", pred="pred")
    )
    assert result.rows == 2970
    assert run_accuracy(project, result.version_id, result.run_id or -1, "label") == pytest.approx(
        0.577, abs=0.01
    )


def test_guess_roles() -> None:
    roles = guess_roles(["id", "text", "label", "predicted", "prob_a", "prob_b", "tweet_created"])
    assert (roles.id, roles.text, roles.label, roles.pred, roles.proba_prefix, roles.time) == (
        "id",
        "text",
        "label",
        "predicted",
        "prob_",
        "tweet_created",
    )


# -- errors: each names the problem, and the project stays exactly as it was ---------------------


def write(tmp_path: Path, name: str, frame: pl.DataFrame) -> Path:
    path = tmp_path / name
    frame.write_csv(path)
    return path


BASE = {"id": ["a", "b", "c"], "text": ["x y", "y z", "z x"], "label": ["p", "q", "p"]}


@pytest.mark.parametrize(
    ("columns", "roles", "message"),
    [
        (
            {**BASE, "id": ["a", "b", "a"]},
            RoleMapping(id="id", text="text"),
            r"duplicated value.*'a' in rows \[1, 3\]",
        ),
        (BASE, RoleMapping(text="body"), r"column\(s\) \['body'\] not found.*id, text, label"),
        (
            {**BASE, "prob_p": [0.5, 1.5, 0.2], "prob_q": [0.5, -0.5, 0.8]},
            RoleMapping(text="text", label="label", proba_prefix="prob_"),
            r"outside \[0, 1\] in 1 row.*data row 2.*softmax",
        ),
        (
            {**BASE, "prob_p": [0.5, 0.7, 0.2], "prob_q": [0.5, 0.7, 0.8]},
            RoleMapping(text="text", label="label", proba_prefix="prob_"),
            r"do not sum to 1 ± 0.001 in 1 row.*data row 2",
        ),
        (
            {**BASE, "pred": ["p", "r", "q"]},
            RoleMapping(text="text", label="label", pred="pred"),
            r"predicted labels \['r'\] are not in the label set.*data row 2",
        ),
        (
            {**BASE, "label": ["p", "s", "q"], "prob_p": [1.0, 0.0, 0.0], "prob_q": [0.0, 1.0, 1.0]},
            RoleMapping(text="text", label="label", proba_prefix="prob_"),
            r"labels \['s'\] are not in the label set",
        ),
    ],
)
def test_import_errors_leave_project_unchanged(
    project: Project, tmp_path: Path, columns: dict[str, list[object]], roles: RoleMapping, message: str
) -> None:
    import_dataset(
        project, write(tmp_path, "ok.csv", pl.DataFrame(BASE)), RoleMapping(text="text"), name="first"
    )
    before = snapshot(project)
    with pytest.raises(InputError, match=message):
        import_dataset(project, write(tmp_path, "bad.csv", pl.DataFrame(columns)), roles)
    assert snapshot(project) == before
    with Project.open(project.path) as again:
        assert snapshot(again) == before


def test_empty_file_and_header_only(project: Project, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty.csv: the file is empty"):
        import_dataset(project, tmp_path / "empty.csv", RoleMapping())
    (tmp_path / "header.csv").write_text("id,text\n")
    with pytest.raises(InputError, match="no data rows"):
        import_dataset(project, tmp_path / "header.csv", RoleMapping())


def test_wrong_encoding_is_named_and_encoding_option_works(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("text,label\nbonjour,a\nd\u00e9j\u00e0 vu,b\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"line 3 \(byte \d+\) is not valid utf-8.*--encoding"):
        import_dataset(project, path, RoleMapping(text="text", label="label"))
    result = import_dataset(project, path, RoleMapping(text="text", label="label"), encoding="cp1252")
    assert read_rows(project, result.version_id)["text"].to_list() == ["bonjour", "d\u00e9j\u00e0 vu"]


def test_malformed_and_unknown_files(project: Project, tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="cannot be read as PARQUET"):
        import_dataset(project, tmp_path / "bad.parquet", RoleMapping())
    (tmp_path / "data.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match=r"unknown file type '\.xlsx'"):
        import_dataset(project, tmp_path / "data.xlsx", RoleMapping())


def test_outputs_file_must_cover_every_row(project: Project, tmp_path: Path) -> None:
    data = write(tmp_path, "data.csv", pl.DataFrame(BASE))
    outputs = write(tmp_path, "out.csv", pl.DataFrame({"id": ["a", "b"], "pred": ["p", "q"]}))
    with pytest.raises(InputError, match=r"1 data row\(s\) have no model output.*'c'"):
        import_dataset(
            project, data, RoleMapping(id="id", text="text", label="label", pred="pred"), outputs_path=outputs
        )


def test_duplicate_dataset_name(project: Project, tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", pl.DataFrame(BASE))
    import_dataset(project, path, RoleMapping(text="text"))
    with pytest.raises(InputError, match="already exists; import with another --name"):
        import_dataset(project, path, RoleMapping(text="text"))


@pytest.mark.parametrize("name", ["*", "^ex.*$"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_column_named_like_a_polars_pattern_is_refused(
    project: Project, tmp_path: Path, name: str, fmt: str
) -> None:
    # polars reads pl.col("*") as every column and pl.col("^…$") as a regex: such a name would be
    # stored as other columns (hypothesis found "*" crashing the import with a DuplicateError)
    frame = pl.DataFrame({"text": ["a card question", "a refund"], name: [None, "x"]})
    path = tmp_path / f"t.{fmt}"
    {"csv": frame.write_csv, "jsonl": frame.write_ndjson, "parquet": frame.write_parquet}[fmt](path)
    with pytest.raises(InputError, match="Rename"):
        import_dataset(project, path, RoleMapping(text="text"), name=f"pattern-{fmt}")
