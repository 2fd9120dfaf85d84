"""Run a library call that offers no callback in a child process, so that Cancel stops it at once.

Some of the field's libraries compute for tens of seconds to minutes in one compiled call
(pynndescent's NN-descent at 1M rows). Between Python statements there is nowhere to check
Cancel, and a thread cannot be stopped, so the call runs in a spawned process that is terminated
when the user cancels. Arrays travel through ``.npy`` files in a private temporary folder (memory
mapped on the way in), not through pickles, so a million 384-d vectors cost one write and no copy
in the child.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel

POLL_SECONDS = 0.2


def _child(folder: str) -> None:
    """The child's side: read the job, run it, write the outputs and a ``done`` marker."""
    job = json.loads((Path(folder) / "job.json").read_text())
    fn = getattr(importlib.import_module(job["module"]), job["function"])
    data = np.load(Path(folder) / "input.npy", mmap_mode="r")
    outputs = fn(data, **job["kwargs"])
    for i, array in enumerate(outputs):
        np.save(Path(folder) / f"output{i}.npy", array)
    (Path(folder) / "done").touch()


def run_cancellable(
    fn: Callable[..., tuple[NDArray[Any], ...]],
    data: NDArray[Any],
    progress: Progress,
    **kwargs: Any,
) -> tuple[NDArray[Any], ...]:
    """Return ``fn(data, **kwargs)`` computed in a child process that Cancel terminates.

    Parameters
    ----------
    fn : callable
        A module-level function taking the array and JSON-serialisable keyword arguments and
        returning a tuple of arrays.
    data : numpy.ndarray
        The input array (any dtype and shape).
    progress : analysis.progress.Progress
        Polled every 0.2 s.

    Returns
    -------
    tuple of numpy.ndarray
        ``fn``'s outputs.

    Raises
    ------
    analysis.progress.Cancelled
        When cancelled: the child is terminated within ``POLL_SECONDS``.
    RuntimeError
        When the child fails (its exit code and last error line are in the message).
    """
    # A new interpreter, not multiprocessing: fork is unsafe in a process running Qt threads, and
    # spawn re-runs the caller's main script (a user's script without a __main__ guard would recurse).
    with tempfile.TemporaryDirectory(prefix="strata-job-") as folder:
        np.save(Path(folder) / "input.npy", data)
        job = {"module": fn.__module__, "function": fn.__name__, "kwargs": kwargs}
        (Path(folder) / "job.json").write_text(json.dumps(job))
        code = f"from analysis.cancellable import _child; _child({folder!r})"
        with (Path(folder) / "stderr.txt").open("wb") as stderr:
            child = subprocess.Popen([sys.executable, "-c", code], stderr=stderr)
        try:
            while child.poll() is None:
                check_cancel(progress)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(POLL_SECONDS)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        if not (Path(folder) / "done").exists():
            lines = (Path(folder) / "stderr.txt").read_text(errors="replace").strip().splitlines()
            last = lines[-1] if lines else "no message"
            raise RuntimeError(f"{fn.__name__} stopped with exit code {child.returncode}: {last}")
        outputs = sorted(Path(folder).glob("output*.npy"), key=lambda p: int(p.stem[6:]))
        return tuple(np.load(p) for p in outputs)
