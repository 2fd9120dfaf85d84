"""Shared fixtures: real datasets from ../shared/data and a sample project built once per session."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The ONNX export of the embedding model goes to a folder of this test session, not the user's cache
# (subprocesses the tests start inherit it); removed when the session ends.
_CACHE = tempfile.mkdtemp(prefix="strata-test-cache-")
os.environ["STRATA_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def edited_banking_versions(
    folder: Path, source: Path, suffix: str, stages: tuple[str, ...]
) -> tuple[Path, int, pl.DataFrame]:
    """A project with ``source`` (the 600 BANKING77 rows) as version 1, run through ``stages``, and as
    version 2 the same rows with ``suffix`` added to the first 50 texts.

    Returns
    -------
    path, version 2's id, the edited rows
    """
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.pipeline.runner import run_pipeline
    from storage.project import Project

    edited = pl.read_csv(source).with_columns(
        text=pl.when(pl.int_range(pl.len()) < 50).then(pl.col("text") + suffix).otherwise(pl.col("text"))
    )
    edited.write_csv(folder / "v2.csv")
    path = folder / "p.strata"
    with Project.create(path) as project:
        roles = RoleMapping(id="id", text="text", label="category")
        import_dataset(project, source, roles, name="bank")
        run_pipeline(project, 1, stages=stages)
        v2 = import_dataset(project, folder / "v2.csv", roles, version_of="bank").version_id
    return path, v2, edited


def run_strata(
    *args: str, cwd: Path, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run the real ``strata`` command in a fresh interpreter with ``-X dev`` (no terminal attached)."""
    return subprocess.run(
        [*prefix, sys.executable, "-X", "dev", "-m", "app.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def pytest_configure(config: pytest.Config) -> None:
    if not DATA.is_dir():
        raise pytest.UsageError(f"The real datasets are missing: expected {DATA} (../shared/data).")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):  # type: ignore[no-untyped-def]
    """Any exception Qt hands to ``sys.excepthook`` (raised in a slot or a virtual method, where Qt
    prints it and carries on) fails the test. pytest-qt does this for tests that use ``qtbot``; this
    hook covers every test."""
    caught: list[tuple[type[BaseException], BaseException, object]] = []
    previous = sys.excepthook
    sys.excepthook = lambda kind, value, tb: caught.append((kind, value, tb))
    try:
        result = yield
    finally:
        sys.excepthook = previous
    if caught:
        kind, value, _ = caught[0]
        pytest.fail(f"{len(caught)} exception(s) raised in Qt slots, first: {kind.__name__}: {value}")
    return result


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def banking_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 rows of BANKING77 train (every 16th row, so all intents appear), with ids."""
    frame = pl.read_csv(DATA / "banking77" / "train.csv").gather_every(16).head(600)
    frame = frame.with_row_index("id").with_columns(pl.format("b{}", pl.col("id")).alias("id"))
    path = tmp_path_factory.mktemp("banking") / "banking_small.csv"
    frame.write_csv(path)
    return path


@pytest.fixture(autouse=True)
def collect_garbage_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a Qt test, Python's cycle collector runs on the GUI thread only, as in the application
    (app/gui.py): the earlier tests' closed windows are collected here first (what survives is frozen,
    so this costs milliseconds, not a walk of torch's objects per test), and during the test
    the collector runs on a GUI-thread timer, so no job's worker thread destroys widgets (which
    deadlocked the suite)."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    from app.gui import collect_on_gui_thread

    collector = collect_on_gui_thread(0.5)
    try:
        yield
    finally:
        collector.timer.stop()
        gc.enable()


@pytest.fixture(scope="session")
def sample_project_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample (BANKING77 test, 3,080 rows) imported and run through the whole pipeline."""
    from app.demo import build_sample_project

    path, _ = build_sample_project(tmp_path_factory.mktemp("sample"))
    return path


@pytest.fixture
def sample_project(sample_project_master: Path, tmp_path: Path) -> Path:
    """A private copy of the sample project, free to change."""
    from storage.project import Project

    # Fold the WAL into the main file so a plain copy carries everything.
    with Project.open(sample_project_master) as project, project.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    target = tmp_path / "sample.strata"
    shutil.copy(sample_project_master, target)
    return target


@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A shown main window with its own settings file and synchronous jobs."""
    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, sync_jobs=True)
    qtbot.addWidget(win)
    win.show()
    return win
