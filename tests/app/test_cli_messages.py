"""Every bad input a careful user tried gets a message, not a traceback: each case runs the real
``strata`` command in a fresh interpreter with ``-X dev`` and checks its exit code and stderr."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import run_strata

ROOT = Path(__file__).resolve().parents[2]


def strata(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``strata COMMAND`` (split as a shell would)."""
    return run_strata(*shlex.split(command), cwd=cwd)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, banking_small: Path) -> Path:
    """A folder with a project (600 BANKING77 rows, a model run 'model') and the bad files to try."""
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from storage.project import Project

    folder = tmp_path_factory.mktemp("messages")
    bank = pl.read_csv(banking_small)
    classes = sorted(bank["category"].unique().to_list())
    # A model that predicts one class more than the labels hold ("other"), as a predictions-only run.
    preds = bank.with_columns(
        pred=pl.when(pl.int_range(pl.len()) % 7 == 0).then(pl.lit("other")).otherwise("category")
    )
    preds.write_csv(folder / "preds.csv")
    preds.select("id", "pred").write_csv(folder / "run.csv")
    (folder / "classes.txt").write_text("\n".join([*classes, "other"]) + "\n")
    with Project.create(folder / "p.strata") as project:
        import_dataset(
            project, banking_small, RoleMapping(id="id", text="text", label="category"), name="bank"
        )
    first_run = "import-run p.strata run.csv --pred pred --run-name model --classes classes.txt"
    assert strata(first_run, cwd=folder).returncode == 0
    bank.head(1).write_csv(folder / "one.csv")
    bank.head(20).with_columns(_row_id=pl.int_range(20)).write_csv(folder / "system.csv")
    bank.head(20).with_columns(when=pl.lit("yesterday-ish")).write_csv(folder / "when.csv")
    bank.head(20).with_columns(when=pl.lit("21/11/2026")).write_csv(folder / "when2.csv")
    (folder / "utf16.csv").write_text("id,text,category\n1,héllo,a\n2,wörld,b\n", encoding="utf-16")
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 20)
    bank.head(5).write_parquet(folder / "parquet.csv")
    lines = [json.dumps({"id": i, "text": f"t{i}", "category": "a"}) for i in range(5)]
    lines[3] = '{"id": 3, "text": broken}'
    (folder / "broken.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "existing.csv").write_text("keep me\n")
    (folder / "afolder").mkdir()
    import sqlite3

    conn = sqlite3.connect(folder / "alembic.db")
    conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
    conn.execute("INSERT INTO alembic_version VALUES ('abc123')")
    conn.commit()
    conn.close()
    return folder


CASES: dict[str, tuple[str, int, str]] = {
    "system column names": ("import p.strata system.csv --text text --name s", 2, "names Strata keeps"),
    "time that does not parse": (
        "import p.strata when.csv --text text --time when --name w",
        2,
        "time column 'when'",
    ),
    "time with a wrong format": (
        "import p.strata when2.csv --text text --time when --time-format %Y-%m-%d --name w",
        2,
        "--time-format",
    ),
    "import-run --pred nope": (
        "import-run p.strata run.csv --pred nope --run-name x",
        2,
        "['nope'] not found",
    ),
    "import-run existing name": (
        "import-run p.strata run.csv --pred pred --run-name model --classes classes.txt",
        2,
        "already has a model run named 'model'",
    ),
    "classes absent from the labels": (
        "import p.strata preds.csv --id id --text text --label category --pred pred --name c",
        2,
        "with --classes",
    ),
    "--out is a folder": ("export p.strata --where '1 = 1' --out afolder", 2, "is a folder"),
    "--out exists": ("export p.strata --where '1 = 1' --out existing.csv", 2, "add --force"),
    "diff --out exists": ("diff p.strata --from bank:1 --to bank:1 --out existing.csv", 2, "add --force"),
    "--out is the project": (
        "export p.strata --where '1 = 1' --format csv --out p.strata --force",
        2,
        "open project file",
    ),
    "UTF-16 file": ("import p.strata utf16.csv --text text --label category --name u16", 0, ""),
    "binary file renamed .csv": ("import p.strata binary.csv --text text", 2, "not a text file"),
    "Parquet renamed .csv": ("import p.strata parquet.csv --text text", 2, "not a text file"),
    "broken JSONL line": ("import p.strata broken.jsonl --text text", 2, "line 4 is not valid JSON"),
    "unknown encoding": ("import p.strata one.csv --text text --encoding klingon", 2, "Unknown encoding"),
    "negative --sample-size": (
        "export p.strata --where 1=1 --out s.csv --sample-by category --sample-size -5",
        2,
        "out of range",
    ),
    "--sample-frac above 1": (
        "export p.strata --where 1=1 --out s.csv --sample-by category --sample-frac 1.5",
        2,
        "out of range",
    ),
    "--alpha 0": ("discover p.strata --alpha 0", 2, "out of range"),
    "negative --min-support": ("discover p.strata --min-support -1", 2, "out of range"),
    "hostile filter": (
        "slices p.strata --dataset bank --where \"text IN (SELECT * FROM read_csv('/etc/hostname'))\"",
        2,
        "Not allowed in a filter",
    ),
    "bad slice never saved": (
        "slices p.strata --dataset bank --save x --where 'nope > 1'",
        2,
        "cannot be used",
    ),
    "foreign alembic database": ("info alembic.db", 2, "not a Strata project"),
    "project is a folder": ("info afolder", 2, "is a folder"),
    "project missing": ("info missing.strata", 2, "does not exist"),
    "encrypted without passphrase": ("info binary.csv", 2, "STRATA_PASSPHRASE"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_no_traceback(work: Path, case: str) -> None:
    command, code, expected = CASES[case]
    done = strata(command, cwd=work)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, done.stderr
    assert expected in done.stderr
    if code == 2:  # one paragraph from Strata, or argparse's usage line and message
        assert done.stderr.startswith("strata: error: ") or done.stderr.startswith("usage:")


def test_one_row_run_and_import_into_a_new_path(work: Path) -> None:
    done = strata("import fresh.strata one.csv --text text", cwd=work)
    assert done.returncode == 0
    assert "Created a new project fresh.strata" in done.stdout
    assert "dataset 'one' version 1" in done.stdout  # the number a user counts, not an internal id
    done = strata("run fresh.strata", cwd=work)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2 and "needs at least 10" in done.stderr


def test_classes_option_admits_a_model_that_predicts_more_classes(work: Path) -> None:
    done = strata(
        "import p.strata preds.csv --id id --text text --label category --pred pred "
        "--name with-classes --classes classes.txt",
        cwd=work,
    )
    assert done.returncode == 0, done.stderr
    from storage.project import Project
    from storage.runs import list_runs
    from storage.versions import resolve_version

    with Project.open(work / "p.strata") as project:
        run = list_runs(project, resolve_version(project, "with-classes"))[0]
        assert "other" in run.label_names


def test_a_filter_without_save_shows_its_metrics(work: Path) -> None:
    done = strata("slices p.strata --dataset bank --where \"category = 'card_arrival'\"", cwd=work)
    assert done.returncode == 0, done.stderr
    assert "(this filter)" in done.stdout and "accuracy" in done.stdout
