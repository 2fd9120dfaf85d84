"""The job runner: stages run off the GUI thread with throttled progress, cancel and stale-result dropping.

Follows Orange's ``concurrent`` helpers: each submission gets a generation number; a newer submission
in the same lane cancels the lane's running job, and results of an older generation are dropped.
Lanes keep a long job (the pipeline, an import) running while the user looks at another version or
asks for a diff: each lane has its own worker thread. ``sync=True`` runs jobs in the calling thread,
for tests and scripts.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

THROTTLE_S = 0.05


class JobProgress:
    """A thread-safe :class:`analysis.progress.Progress` that forwards to the runner's signals."""

    def __init__(self, runner: JobRunner, generation: int) -> None:
        self._runner = runner
        self._generation = generation
        self._cancel = threading.Event()
        self._done = 0
        self._total = 0
        self._text = ""
        self._last = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    def total(self, n: int) -> None:
        self._total, self._done = n, 0
        self._emit(force=True)

    def advance(self, n: int = 1) -> None:
        self._done += n
        self._emit()

    def message(self, text: str) -> None:
        self._text = text
        self._emit(force=True)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def partial(self, value: object) -> None:
        """Hand an early result to the GUI thread while the job goes on (the map of a version before
        its whole frame); the submitter's ``on_partial`` gets it unless the job was replaced or
        cancelled meanwhile."""
        self._runner._partial.emit(self._generation, value)

    def _emit(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= THROTTLE_S:
            self._last = now
            self._runner.progressed.emit(self._generation, self._done, self._total, self._text)


class _Task(QRunnable):
    def __init__(
        self, runner: JobRunner, generation: int, fn: Callable[[JobProgress], Any], progress: JobProgress
    ):
        super().__init__()
        self.runner, self.generation, self.fn, self.progress = runner, generation, fn, progress

    def run(self) -> None:
        try:
            result, error = self.fn(self.progress), None
        except Exception as err:  # handed to the GUI thread, which shows it
            result, error = None, err
        self.runner._finished.emit(self.generation, result, error)


class JobRunner(QObject):
    """Runs one job at a time per lane off the GUI thread.

    Lanes: ``"work"`` (the default: diffs, drift, slices, exports), ``"pipeline"`` (imports and
    pipeline runs, which write) and ``"view"`` (loading the version to show).

    Signals
    -------
    started(str)
        A job began; its description.
    progressed(int, int, int, str)
        generation, done, total (0 when unknown), message.
    ended(str, bool)
        A job ended; its description and whether it succeeded.
    """

    started = Signal(str)
    progressed = Signal(int, int, int, str)
    ended = Signal(str, bool)
    _finished = Signal(int, object, object)
    _partial = Signal(int, object)

    def __init__(self, sync: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        self.generation = 0  # the newest job's, over all lanes
        self._pools: dict[str, QThreadPool] = {}
        self._latest: dict[str, int] = {}
        self._running: dict[str, JobProgress] = {}
        self._handlers: dict[int, tuple[str, str, Callable[[Any], None], Callable[[Exception], None]]] = {}
        self._partials: dict[int, Callable[[Any], None]] = {}
        self._deferred: deque[Callable[[], None]] = deque()  # the first is running or due next
        self._finished.connect(self._on_finished)
        self._partial.connect(self._on_partial)

    @property
    def busy(self) -> bool:
        """Whether a job is running in any lane, or work handed to :meth:`defer` waits."""
        return bool(self._running) or bool(self._deferred)

    def defer(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the GUI thread on a later turn of the event loop (at once when synchronous),
        after what is waiting now (a paint, a key press), one deferred call per turn."""
        if self.sync:
            fn()
            return
        self._deferred.append(fn)
        if len(self._deferred) == 1:
            QTimer.singleShot(0, self, self._run_deferred)

    def _run_deferred(self) -> None:
        # The next call is scheduled only after this one ran, so timers and paints that fell due
        # meanwhile go first (scheduled together, they all ran in one turn and stalled the window).
        try:
            self._deferred[0]()
        finally:
            self._deferred.popleft()
            if self._deferred:
                QTimer.singleShot(0, self, self._run_deferred)

    def is_current(self, generation: int) -> bool:
        """Whether ``generation`` is its lane's newest job (its progress and result are not stale)."""
        return generation in self._latest.values()

    def submit(
        self,
        description: str,
        fn: Callable[[JobProgress], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
        lane: str = "work",
        on_partial: Callable[[Any], None] | None = None,
    ) -> int:
        """Run ``fn(progress)``; call ``on_done(result)`` or ``on_error(exc)`` in the GUI thread, and
        ``on_partial(value)`` there for each ``progress.partial(value)`` the job hands over first.

        A job running in the same lane is cancelled first and its result dropped. Returns the job's
        generation.
        """
        if lane in self._running:
            self._running[lane].cancel()
        self.generation += 1
        generation = self.generation
        progress = JobProgress(self, generation)
        self._running[lane] = progress
        self._latest[lane] = generation
        self._handlers[generation] = (lane, description, on_done, on_error)
        if on_partial is not None:
            self._partials[generation] = on_partial
        self.started.emit(description)
        if self.sync:
            try:
                result, error = fn(progress), None
            except Exception as err:
                result, error = None, err
            self._on_finished(generation, result, error)
        else:
            if lane not in self._pools:
                self._pools[lane] = QThreadPool(self)
                self._pools[lane].setMaxThreadCount(1)
            self._pools[lane].start(_Task(self, generation, fn, progress))
        return generation

    def cancel(self, lane: str | None = None) -> None:
        """Ask the running job of ``lane`` (of every lane when None) to stop at its next batch boundary."""
        for name, progress in list(self._running.items()):
            if lane is None or name == lane:
                progress.cancel()

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until every lane is idle (for shutdown and tests)."""
        return all(bool(pool.waitForDone(timeout_ms)) for pool in self._pools.values())

    def _on_partial(self, generation: int, value: object) -> None:
        handler, running = self._partials.get(generation), self._handlers.get(generation)
        if handler is None or running is None or generation != self._latest.get(running[0]):
            return  # finished, replaced or never asked for: stale
        progress = self._running.get(running[0])
        if progress is not None and not progress.cancelled():
            handler(value)

    def _on_finished(self, generation: int, result: object, error: object) -> None:
        lane, description, on_done, on_error = self._handlers.pop(generation)
        self._partials.pop(generation, None)
        if generation != self._latest.get(lane):
            return  # a newer job replaced this one: its result is stale
        self._running.pop(lane, None)
        self.ended.emit(description, error is None)
        if isinstance(error, Exception):
            on_error(error)
        else:
            on_done(result)
