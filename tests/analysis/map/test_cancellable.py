"""A library call without callbacks (NN-descent) runs in a child process that Cancel stops at once."""

from __future__ import annotations

import time

import numpy as np
import pytest

from analysis.cancellable import run_cancellable
from analysis.map.neighbours import nndescent_graph
from analysis.progress import Cancelled, NullProgress


class CancelAfter(NullProgress):
    def __init__(self, seconds: float) -> None:
        self.start = time.perf_counter()
        self.seconds = seconds
        self.asked: float | None = None

    def cancelled(self) -> bool:
        if time.perf_counter() - self.start >= self.seconds:
            self.asked = self.asked or time.perf_counter()
            return True
        return False


def unit_rows(n: int, d: int) -> np.ndarray:
    rows = np.random.default_rng(0).normal(size=(n, d)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_child_returns_the_functions_arrays() -> None:
    rows = unit_rows(300, 40)
    gram = rows.T @ rows
    values, vectors = run_cancellable(np.linalg.eigh, gram, NullProgress())
    assert np.allclose(values, np.linalg.eigvalsh(gram), atol=1e-4)
    assert np.allclose(gram @ vectors[:, -1], values[-1] * vectors[:, -1], atol=1e-3)


@pytest.mark.slow  # pynndescent compiles its numba code in every new process: 35-50 s on 2 cores
def test_the_child_returns_the_graph() -> None:
    vectors = unit_rows(400, 16)
    found, dist = run_cancellable(nndescent_graph, vectors, NullProgress(), k=5)
    assert found.shape == (400, 10) and dist.shape == (400, 10)
    exact = np.argsort(-(vectors @ vectors.T), axis=1)[:, :5]
    recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(found[:, :5], exact, strict=True)])
    assert recall > 0.9


def test_cancel_terminates_the_child_within_a_second(tmp_path, monkeypatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[str] = []
    monkeypatch.setattr(
        np, "save", lambda path, array, _save=np.save: (seen.append(str(path)), _save(path, array))
    )
    progress = CancelAfter(1.0)
    with pytest.raises(Cancelled):
        run_cancellable(nndescent_graph, unit_rows(200_000, 32), progress, k=15)
    assert progress.asked is not None and time.perf_counter() - progress.asked < 1.0
    assert seen and seen[0].startswith(str(tmp_path))  # the input went to the private folder…
    assert not list(tmp_path.glob("strata-job-*"))  # …which is removed


def test_a_failing_child_says_why() -> None:
    with pytest.raises(RuntimeError, match="TypeError"):
        run_cancellable(nndescent_graph, unit_rows(50, 8), NullProgress(), neighbours=5)
