"""The job runner: a newer job replaces a running one, whose result is dropped; errors reach on_error."""

from __future__ import annotations

import threading

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
