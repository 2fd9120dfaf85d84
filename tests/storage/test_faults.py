"""Faults a project must survive with a clear message: read-only files and folders, a second writer,
a full disk, and encryption at rest."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest

import storage.project as project_module
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from app.cli import main
from storage.errors import DiskFull, ProjectBusy, ProjectError
from storage.project import BUSY_TIMEOUT_S, Project
from tests.conftest import run_strata

ROOT = Path(__file__).resolve().parents[2]
ROLES = RoleMapping(id="id", text="text", label="category")


def unprivileged() -> list[str]:
    """A command prefix under which file permissions hold (root ignores them otherwise)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file permissions cannot be tested")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def strata(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_strata(*args, cwd=cwd, prefix=unprivileged())


@pytest.fixture
def folder(tmp_path: Path, banking_small: Path) -> Path:
    """tmp/proj/p.strata (600 rows, two versions, closed cleanly) and tmp/in.csv."""
    proj = tmp_path / "proj"
    proj.mkdir()
    with Project.create(proj / "p.strata") as p:
        import_dataset(p, banking_small, ROLES, name="bank")
        import_dataset(p, banking_small, ROLES, version_of="bank")
    shutil.copy(banking_small, tmp_path / "in.csv")
    return tmp_path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


READS = [
    ["info", "proj/p.strata"],
    ["errors", "proj/p.strata"],
    ["diff", "proj/p.strata", "--from", "bank:1", "--to", "bank:2"],
    ["export", "proj/p.strata", "--where", "category = 'card_arrival'", "--out", "out/x.csv"],
]


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_project_reads_and_refuses_writes(folder: Path, what: str) -> None:
    project = folder / "proj" / "p.strata"
    before = digest(project)
    (folder / "out").mkdir()
    os.chmod(project if what == "file" else project.parent, 0o444 if what == "file" else 0o555)
    try:
        for command in READS:
            done = strata(*command, cwd=folder)
            assert done.returncode == 0, (command, done.stderr)
            assert "Traceback" not in done.stderr
        assert (folder / "out" / "x.csv").is_file()
        done = strata("import", "proj/p.strata", "in.csv", "--text", "text", "--name", "more", cwd=folder)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "read-only" in done.stderr
        assert sorted(p.name for p in project.parent.iterdir()) == ["p.strata"]  # no -wal / -shm left
    finally:
        os.chmod(project.parent, 0o755)
        os.chmod(project, 0o644)
    assert digest(project) == before
    with Project.open(project) as p:  # and it opens for writing again
        import_dataset(p, folder / "in.csv", ROLES, name="more")


def test_export_into_a_read_only_folder_says_so(folder: Path) -> None:
    (folder / "locked").mkdir(mode=0o555)
    done = strata("export", "proj/p.strata", "--where", "1 = 1", "--out", "locked/x.csv", cwd=folder)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "is not writable" in done.stderr


def test_a_second_writer_waits_then_says_the_project_is_busy(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert BUSY_TIMEOUT_S >= 30
    monkeypatch.setattr(project_module, "BUSY_TIMEOUT_S", 0.5)
    project = folder / "proj" / "p.strata"
    holder = sqlite3.connect(project, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another process's write transaction
    try:
        assert main(["import", str(project), str(folder / "in.csv"), "--text", "text", "--name", "x"]) == 2
        assert "busy in another Strata process" in capsys.readouterr().err
        with Project.open(project) as p, pytest.raises(ProjectBusy):
            import_dataset(p, folder / "in.csv", ROLES, name="y")
    finally:
        holder.rollback()
        holder.close()
    # A writer that finishes within the wait is simply waited for.
    monkeypatch.setattr(project_module, "BUSY_TIMEOUT_S", 10.0)
    holder = sqlite3.connect(project, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(1.0, holder.commit)
    timer.start()
    assert main(["import", str(project), str(folder / "in.csv"), "--text", "text", "--name", "x"]) == 0
    timer.join()
    holder.close()


def test_disk_full_rolls_back_and_says_so(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    project = folder / "proj" / "p.strata"
    with Project.open(project) as p, p.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = digest(project)
    # SQLite's own "disk full" (SQLITE_FULL): the file may not grow past a few more pages.
    monkeypatch.setattr(
        project_module,
        "CONNECTION_PRAGMAS",
        (*project_module.CONNECTION_PRAGMAS, f"PRAGMA max_page_count = {int(pages) + 8}"),
    )
    big = data_dir / "banking77" / "train.csv"
    assert (
        main(["import", str(project), str(big), "--text", "text", "--label", "category", "--name", "big"])
        == 2
    )
    err = capsys.readouterr().err
    assert "is full" in err and "as it was before" in err
    with Project.open(project) as p, pytest.raises(DiskFull):
        import_dataset(p, big, RoleMapping(text="text", label="category"), name="big")
    monkeypatch.undo()
    with Project.open(project) as p, p.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("SELECT count(*) FROM dataset_version").scalar() == 2
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert digest(project) == before


def test_an_encrypted_project_works_and_is_unreadable_without_its_passphrase(
    tmp_path: Path, banking_small: Path
) -> None:
    pytest.importorskip("sqlcipher3")
    env = {"STRATA_PASSPHRASE": "correct horse 'battery' staple"}
    project = tmp_path / "secret.strata"
    shutil.copy(banking_small, tmp_path / "in.csv")

    def run(command: str, **extra: str) -> subprocess.CompletedProcess[str]:
        done = run_strata(*shlex.split(command), cwd=tmp_path, env={**env, **extra})
        assert "Traceback" not in done.stderr, done.stderr
        return done

    roles = "--id id --text text --label category"
    assert run("new secret.strata --encrypt").returncode == 0
    assert run(f"import secret.strata in.csv {roles}").returncode == 0
    assert run(f"import secret.strata in.csv {roles} --version-of in").returncode == 0
    raw = project.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"card_arrival" not in raw and b"Strata" not in raw
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(project).execute("SELECT * FROM sqlite_master").fetchall()
    assert "in v2: 600 rows" in run("info secret.strata").stdout
    assert run("diff secret.strata --from in:1 --to in:2").returncode == 0
    arrival = "\"category = 'card_arrival'\""
    assert run(f"slices secret.strata --save arrival --where {arrival}").returncode == 0
    done = run(f"export secret.strata --where {arrival} --out plain.csv")
    assert done.returncode == 0
    assert pl.read_csv(tmp_path / "plain.csv")["category"].unique().to_list() == ["card_arrival"]
    manifest = (tmp_path / "plain.csv.manifest.json").read_text()
    assert '"project_encrypted": true' in manifest
    wrong = run("info secret.strata", STRATA_PASSPHRASE="wrong")
    assert wrong.returncode == 2 and "passphrase is wrong" in wrong.stderr
    assert "ERROR CORE" not in wrong.stderr
    missing = run("info secret.strata", STRATA_PASSPHRASE="")
    assert missing.returncode == 2 and "STRATA_PASSPHRASE" in missing.stderr


def test_encryption_unavailable_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)  # as on a platform without the wheel
    monkeypatch.setenv("STRATA_PASSPHRASE", "x")
    with pytest.raises(ProjectError, match="need SQLCipher"):
        Project.create(tmp_path / "e.strata", passphrase="x")
    assert not (tmp_path / "e.strata").exists()
    with Project.create(tmp_path / "plain.strata") as p:  # everything else still works
        assert not p.encrypted
