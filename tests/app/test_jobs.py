"""The job runner: a newer job replaces a running one, whose result is dropped; errors reach on_error."""

from __future__ import annotations

import threading

from analysis.workspace_state import Events
from app.jobs import JobProgress, JobRunner


def test_a_stale_jobs_result_is_dropped(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = JobRunner()
    release = threading.Event()
    delivered: list[str] = []

    def slow(progress: JobProgress) -> str:
        release.wait(10)
        return "old" if progress.cancelled() else "old, not cancelled"

    runner.submit("old", slow, delivered.append, lambda err: delivered.append(f"error {err}"))
    runner.submit("new", lambda _p: "new", delivered.append, lambda err: delivered.append(f"error {err}"))
    release.set()
    with qtbot.waitSignal(runner.ended, timeout=10_000):
        pass
    runner.wait(10_000)
    qtbot.wait(50)  # let the old job's queued result arrive, to be dropped
    assert delivered == ["new"]
    assert not runner.busy


def test_an_error_reaches_on_error(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = JobRunner()
    errors: list[Exception] = []

    def fail(_progress: JobProgress) -> None:
        raise ValueError("bad input")

    with qtbot.waitSignal(runner.ended, timeout=10_000) as ended:
        runner.submit("failing", fail, lambda _r: None, errors.append)
    assert ended.args == ["failing", False]
    assert [str(e) for e in errors] == ["bad input"]


def test_deferred_views_update_on_later_turns_and_keep_the_runner_busy(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A new version's hidden views (listeners connected with later=True) update after the event that
    showed it, one per event-loop turn, in subscription order; the runner stays busy until they have."""
    runner = JobRunner()
    events = Events()
    events.later = runner.defer
    calls: list[str] = []
    events.connect("version", lambda frame, dataset_changed: calls.append(f"map {frame}"))
    events.connect("version", lambda frame, dataset_changed: calls.append(f"slices {frame}"), later=True)
    events.connect("version", lambda frame, dataset_changed: calls.append(f"review {frame}"), later=True)
    events.emit("version", frame=1, dataset_changed=True)
    events.emit("version", frame=2, dataset_changed=False)
    assert calls == ["map 1", "map 2"] and runner.busy
    qtbot.waitUntil(lambda: not runner.busy, timeout=5_000)
    assert calls == ["map 1", "map 2", "slices 1", "review 1", "slices 2", "review 2"]


def test_each_deferred_call_waits_for_what_became_due_before_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Deferred calls run one per event-loop turn: a timer or paint that falls due while one runs goes
    before the next (scheduled all at once, they ran back to back and the window stalled ~200 ms when
    a version was shown: tests/app/test_responsiveness.py)."""
    from PySide6.QtCore import QTimer

    runner = JobRunner()
    calls: list[str] = []

    def first() -> None:
        calls.append("first")
        QTimer.singleShot(0, lambda: calls.append("due meanwhile"))

    runner.defer(first)
    runner.defer(lambda: calls.append("second"))
    qtbot.waitUntil(lambda: not runner.busy, timeout=5_000)
    assert calls == ["first", "due meanwhile", "second"]


def test_without_a_scheduler_later_listeners_run_at_once() -> None:
    events = Events()
    calls: list[int] = []
    disconnect = events.connect("tags", lambda frame: calls.append(frame), later=True)
    events.emit("tags", frame=3)
    disconnect()
    events.emit("tags", frame=4)
    assert calls == [3]
