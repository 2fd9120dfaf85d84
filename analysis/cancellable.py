"""Run a library call that offers no callback in a child process, so that Cancel stops it at once.

Some of the field's libraries compute for tens of seconds to minutes in one compiled call
(pynndescent's NN-descent at 1M rows). Between Python statements there is nowhere to check
Cancel, and a thread cannot be stopped, so the call runs in a spawned process that is terminated
when the user cancels. Arrays travel through ``.npy`` files in a private temporary folder (memory
mapped on the way in), not through pickles, so a million 384-d vectors cost one write and no copy
in the child.
"""

from __future__ import annotations

import multiprocessing
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel

POLL_SECONDS = 0.2


def _child(fn: Callable[..., tuple[NDArray[Any], ...]], folder: str, kwargs: dict[str, Any]) -> None:
    data = np.load(Path(folder) / "input.npy", mmap_mode="r")
    outputs = fn(data, **kwargs)
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
        A module-level function (picklable) taking the array and keyword arguments and returning a
        tuple of arrays.
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
        When the child fails (its exit code is in the message).
    """
    context = multiprocessing.get_context("spawn")  # fork is unsafe in a process running Qt threads
    with tempfile.TemporaryDirectory(prefix="strata-job-") as folder:
        np.save(Path(folder) / "input.npy", data)
        child = context.Process(target=_child, args=(fn, folder, kwargs), daemon=True)
        child.start()
        try:
            while child.is_alive():
                check_cancel(progress)
                child.join(POLL_SECONDS)
        finally:
            if child.is_alive():
                child.terminate()
                child.join()
        if not (Path(folder) / "done").exists():
            raise RuntimeError(f"{fn.__name__} stopped with exit code {child.exitcode}.")
        outputs = sorted(Path(folder).glob("output*.npy"), key=lambda p: int(p.stem[6:]))
        return tuple(np.load(p) for p in outputs)
