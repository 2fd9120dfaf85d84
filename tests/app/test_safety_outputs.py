"""Nothing lost: commands never write over the project or an existing file, slices are checked before
they are saved, quoted column names round-trip, the format follows the extension, and opening a file
that is not a Strata project leaves it untouched."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from pathlib import Path

import polars as pl
import pytest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.slices.filters import list_slices, save_slice, version_table
from app.cli import main
from storage.errors import InputError
from storage.project import Project


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project(tmp_path: Path, banking_small: Path) -> Path:
    """600 BANKING77 rows with ids and labels, as version 1 of 'bank'."""
    path = tmp_path / "p.strata"
    with Project.create(path) as p:
        import_dataset(p, banking_small, RoleMapping(id="id", text="text", label="category"), name="bank")
    return path


def closed_digest(path: Path) -> str:
    """The project's bytes with its WAL folded in (what a copy of the closed project holds)."""
    with Project.open(path) as p, p.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return digest(path)


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
@pytest.mark.parametrize("force", [False, True])
def test_export_never_writes_over_the_project(
    project: Path, suffix: str, force: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    before = closed_digest(project)
    target = project.with_name(project.name + suffix)
    args = ["export", str(project), "--where", "category = 'card_arrival'", "--format", "csv"]
    assert main([*args, "--out", str(target), *(["--force"] if force else [])]) == 2
    assert "open project file" in capsys.readouterr().err
    assert closed_digest(project) == before
    with Project.open(project) as p:
        assert p.schema_revision() is not None


def test_diff_never_writes_over_the_project(
    project: Path, banking_small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Project.open(project) as p:
        import_dataset(
            p, banking_small, RoleMapping(id="id", text="text", label="category"), version_of="bank"
        )
    before = closed_digest(project)
    for force in ([], ["--force"]):
        code = main(
            ["diff", str(project), "--from", "bank:1", "--to", "bank:2", "--out", str(project), *force]
        )
        assert code == 2
        assert "open project file" in capsys.readouterr().err
    assert closed_digest(project) == before


def test_existing_files_need_force_and_keep_their_permissions(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "subset.csv"
    out.write_text("precious\n")
    os.chmod(out, 0o640)
    base = ["export", str(project), "--where", "category = 'card_arrival'", "--out", str(out)]
    assert main(base) == 2
    assert "already exists; add --force" in capsys.readouterr().err
    assert out.read_text() == "precious\n"
    assert main([*base, "--force"]) == 0
    assert pl.read_csv(out)["category"].unique().to_list() == ["card_arrival"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    # The manifest exists now: a second export without --force is refused before anything is written.
    data = out.read_bytes()
    assert main(base) == 2
    assert out.read_bytes() == data


def test_new_files_get_the_users_umask(project: Path, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert (
            main(
                [
                    "export",
                    str(project),
                    "--where",
                    "category = 'card_arrival'",
                    "--out",
                    str(tmp_path / "a.jsonl"),
                ]
            )
            == 0
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.jsonl").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "a.jsonl.manifest.json").stat().st_mode) == 0o640


@pytest.mark.parametrize("target", ["/dev/null", "FOLDER", "FOLDER/missing/../"])
def test_non_regular_targets_are_refused(
    project: Path, tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = target.replace("FOLDER", str(tmp_path))
    args = ["export", str(project), "--where", "category = 'card_arrival'", "--format", "csv", "--out", out]
    assert main([*args, "--force"]) == 2
    err = capsys.readouterr().err
    assert "folder" in err or "not a regular file" in err


def test_format_follows_the_extension(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    assert main(["export", str(project), "--where", "category = 'card_arrival'", "--out", str(out)]) == 0
    assert out.read_text().startswith("id,text,category")
    assert json.loads((tmp_path / "x.csv.manifest.json").read_text())["output"]["format"] == "csv"
    code = main(
        ["export", str(project), "--where", "1 = 1", "--format", "parquet", "--out", str(tmp_path / "y.csv")]
    )
    assert code == 2
    assert "does not match the extension" in capsys.readouterr().err
    assert main(["export", str(project), "--where", "1 = 1", "--out", str(tmp_path / "y.dat")]) == 2
    assert "Cannot tell the format" in capsys.readouterr().err
    assert not (tmp_path / "y.csv").exists() and not (tmp_path / "y.dat").exists()


def test_quoted_column_names_round_trip(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": ["a", "b"], "text": ["x", "y"], '"quoted"': [1, 2], "it's, odd": ["p", "q"]})
    frame.write_csv(tmp_path / "in.csv")
    path = tmp_path / "q.strata"
    for round_trip in range(3):
        source = tmp_path / ("in.csv" if round_trip == 0 else f"out{round_trip - 1}.csv")
        assert (
            main(
                ["import", str(path), str(source), "--id", "id", "--text", "text", "--name", f"d{round_trip}"]
            )
            == 0
        )
        out = tmp_path / f"out{round_trip}.csv"
        assert (
            main(["export", str(path), "--dataset", f"d{round_trip}", "--where", "1 = 1", "--out", str(out)])
            == 0
        )
        assert pl.read_csv(out, new_columns=frame.columns).columns == frame.columns
        assert out.read_text().splitlines()[0] == 'id,text,"""quoted""","it\'s, odd"'


def test_a_bad_filter_is_never_saved_and_slices_can_be_deleted(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["slices", str(project), "--save", "bad", "--where", "nope = 1"]) == 2
    assert main(["slices", str(project), "--save", "bad", "--where", "category = "]) == 2
    with Project.open(project) as p:
        assert list_slices(p) == {}
        with pytest.raises(InputError):
            save_slice(p, "bad", {"where": "category IN (SELECT 1)"}, version_table(p, 1))
        save_slice(p, "arrival", {"where": "category = 'card_arrival'"}, version_table(p, 1))
        # A slice saved by an older Strata that does not run any more must not block the others.
        save_slice(p, "legacy", {"where": "missing_column > 1"}, None)
    capsys.readouterr()
    out = tmp_path / "arrival.csv"
    assert main(["export", str(project), "--slice", "arrival", "--out", str(out)]) == 0
    assert main(["export", str(project), "--slice", "legacy", "--out", str(tmp_path / "l.csv")]) == 2
    assert "missing_column" in capsys.readouterr().err
    assert main(["slices", str(project), "--delete", "legacy"]) == 0
    assert "Deleted slice 'legacy'" in capsys.readouterr().out
    assert main(["slices", str(project), "--delete", "legacy"]) == 2
    with Project.open(project) as p:
        assert list(list_slices(p)) == ["arrival"]


def test_opening_a_foreign_sqlite_file_leaves_it_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, statements in {
        "plain.db": ["CREATE TABLE notes (x TEXT)", "INSERT INTO notes VALUES ('mine')"],
        "alembic.db": [
            "CREATE TABLE alembic_version (version_num TEXT)",
            "INSERT INTO alembic_version VALUES ('ffff0000')",
            "CREATE TABLE orders (id INTEGER)",
        ],
    }.items():
        path = tmp_path / name
        conn = sqlite3.connect(path)
        for sql in statements:
            conn.execute(sql)
        conn.commit()
        conn.close()
        before = digest(path)
        for command in (
            ["info", str(path)],
            ["errors", str(path)],
            ["export", str(path), "--where", "1=1", "--out", str(tmp_path / "x.csv")],
        ):
            assert main(command) == 2
            err = capsys.readouterr().err
            assert "not a Strata project" in err and "newer Strata" not in err
        assert digest(path) == before
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(name)) == [name]  # no -wal
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        conn.close()
