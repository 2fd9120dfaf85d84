"""How long the GUI thread stops answering: a timer that should fire every few milliseconds, and the
longest gap between its beats while some action runs. Used by the responsiveness tests and the GUI
benchmark (work over ~50 ms belongs in a job, off the GUI thread)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QTimer


class Heartbeat:
    """Measures event-loop stalls.

    Use as a context manager; :attr:`longest_ms` is the longest time between two beats (or between
    the start and the first beat, or the last beat and the end), in milliseconds; :attr:`longest_cpu_ms`
    the GUI thread's own CPU time in its longest-working gap (on a machine loaded by other processes,
    wall-time gaps also include waiting for a core).
    """

    def __init__(self, interval_ms: int = 5) -> None:
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._beat)
        self._clock = QElapsedTimer()
        self._last = 0
        self._last_cpu = 0.0
        self.longest_ms = 0.0
        self.longest_cpu_ms = 0.0
        self.beats = 0

    def _beat(self) -> None:
        now, cpu = self._clock.elapsed(), time.thread_time()
        self.longest_ms = max(self.longest_ms, float(now - self._last))
        self.longest_cpu_ms = max(self.longest_cpu_ms, (cpu - self._last_cpu) * 1000.0)
        self._last, self._last_cpu = now, cpu
        self.beats += 1

    def __enter__(self) -> Heartbeat:
        self._clock.start()
        self._last, self._last_cpu = 0, time.thread_time()
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._beat()
        self._timer.stop()


def run_and_measure(
    action: Callable[[], object], finished: Callable[[], bool], timeout_s: float = 120.0
) -> tuple[float, float]:
    """Start ``action`` and spin the event loop until ``finished()``.

    Returns
    -------
    seconds : float
        Wall time until ``finished()`` held.
    longest_stall_ms : float
        The longest the event loop went without running a timer.

    Raises
    ------
    TimeoutError
        ``finished()`` did not hold within ``timeout_s``.
    """
    start = time.perf_counter()
    with Heartbeat() as heart:
        action()
        while not finished():
            QCoreApplication.processEvents()
            time.sleep(0.001)
            if time.perf_counter() - start > timeout_s:
                raise TimeoutError(f"the action did not finish within {timeout_s:.0f} s")
    return time.perf_counter() - start, heart.longest_ms
