"""``strata run`` and ``strata import`` killed with SIGKILL at seeded random moments: the project passes
SQLite's integrity check, earlier data is unchanged, and running again gives what an uninterrupted run
gives."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def finish(*args: str, cwd: Path) -> float:
    begun = time.perf_counter()
    assert start(*args, cwd=cwd).wait(timeout=600) == 0, args
    return time.perf_counter() - begun


def kill_after(seconds: float, *args: str, cwd: Path) -> None:
    process = start(*args, cwd=cwd)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()


def snapshot(path: Path) -> dict[str, object]:
    """What a run leaves: integrity, versions and their rows, and each stage's results."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = {
            t: conn.execute(f'SELECT * FROM "{t}" ORDER BY _row_id').fetchall()
            for t in sorted(tables)
            if t.startswith("rows_")
        }
        result: dict[str, object] = {
            "versions": conn.execute(
                "SELECT id, number, row_count FROM dataset_version ORDER BY id"
            ).fetchall(),
            "rows": rows,
        }
        if "row_tag" in tables:
            result["tags"] = sorted(
                conn.execute(
                    "SELECT t.name, r.row_id FROM row_tag r JOIN tag t ON t.id = r.tag_id "
                    "WHERE r.source = 'auto'"
                ).fetchall()
            )
    finally:
        conn.close()
    return result


def stage_results(path: Path) -> tuple[np.ndarray, np.ndarray]:
    from analysis.view_frame import load_view_frame
    from storage.project import Project

    with Project.open(path) as project:
        frame = load_view_frame(project, 1)
    assert frame.coords is not None
    return np.asarray(frame.coords), frame.rows["cluster"].to_numpy()


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("kill")
    frame = pl.read_csv(data_dir / "banking77" / "test.csv").gather_every(10).with_row_index("id")
    frame.write_csv(folder / "bank.csv")
    pl.read_csv(data_dir / "banking77" / "train.csv").with_row_index("id").write_csv(folder / "train.csv")
    return folder


@pytest.fixture(scope="module")
def reference(texts: Path) -> tuple[dict[str, object], tuple[np.ndarray, np.ndarray], float]:
    finish(
        "import", "ref.strata", "bank.csv", "--id", "id", "--text", "text", "--label", "category", cwd=texts
    )
    seconds = finish("run", "ref.strata", cwd=texts)
    return snapshot(texts / "ref.strata"), stage_results(texts / "ref.strata"), seconds


def check_run_killed(
    texts: Path, reference: tuple[dict[str, object], tuple[np.ndarray, np.ndarray], float], seed: int
) -> None:
    want, (want_xy, want_clusters), seconds = reference
    path = f"run{seed}.strata"
    finish("import", path, "bank.csv", "--id", "id", "--text", "text", "--label", "category", cwd=texts)
    imported = snapshot(texts / path)
    kill_after(random.Random(seed).uniform(0.2, 0.95) * seconds, "run", path, cwd=texts)
    after_kill = snapshot(texts / path)  # integrity holds
    assert after_kill["versions"] == imported["versions"] and after_kill["rows"] == imported["rows"]
    finish("run", path, cwd=texts)
    got = snapshot(texts / path)
    assert got["rows"] == want["rows"] and got["tags"] == want["tags"]
    xy, clusters = stage_results(texts / path)
    np.testing.assert_allclose(xy, want_xy, atol=1e-4)
    assert np.array_equal(clusters, want_clusters)


@pytest.mark.parametrize("seed", [1])
def test_run_killed_at_a_random_point(texts: Path, reference, seed: int) -> None:  # type: ignore[no-untyped-def]
    check_run_killed(texts, reference, seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 9))
def test_run_killed_at_more_points(texts: Path, reference, seed: int) -> None:  # type: ignore[no-untyped-def]
    check_run_killed(texts, reference, seed)


@pytest.mark.parametrize("seed", [1, 2, *(pytest.param(s, marks=pytest.mark.slow) for s in range(3, 9))])
def test_import_killed_at_a_random_point(texts: Path, seed: int) -> None:
    path = f"import{seed}.strata"
    roles = ("--id", "id", "--text", "text", "--label", "category")
    finish("import", path, "bank.csv", *roles, cwd=texts)
    earlier = snapshot(texts / path)
    seconds = finish("import", f"timing{seed}.strata", "train.csv", *roles, cwd=texts)
    kill_after(
        random.Random(seed).uniform(0.3, 1.0) * seconds, "import", path, "train.csv", *roles, cwd=texts
    )
    after = snapshot(texts / path)
    whole = snapshot(texts / f"timing{seed}.strata")
    assert after["rows"]["rows_1"] == earlier["rows"]["rows_1"]  # type: ignore[index]
    if len(after["versions"]) == 1:  # type: ignore[arg-type]
        finish("import", path, "train.csv", *roles, cwd=texts)
    else:  # one transaction: a killed import is whole or absent
        assert after["rows"]["rows_2"] == whole["rows"]["rows_1"]  # type: ignore[index]
    done = snapshot(texts / path)
    assert len(done["versions"]) == 2  # type: ignore[arg-type]
    assert done["rows"]["rows_2"] == whole["rows"]["rows_1"]  # type: ignore[index]
