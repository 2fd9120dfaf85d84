"""Early results of a job (``progress.partial``): delivered in the GUI thread before the result, and
dropped once the job is replaced."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from app.jobs import JobProgress, JobRunner


def test_a_partial_result_arrives_in_the_gui_thread_before_the_result(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = JobRunner()
    seen: list[tuple[str, bool]] = []
    gui = QThread.currentThread()
    worker: list[threading.Thread] = []

    def work(progress: JobProgress) -> str:
        worker.append(threading.current_thread())
        progress.partial("map")
        return "frame"

    def note(what: str) -> None:
        seen.append((what, QThread.currentThread() is gui))

    with qtbot.waitSignal(runner.ended, timeout=10_000):
        runner.submit("load", work, note, lambda err: note(f"error {err}"), on_partial=note)
    assert seen == [("map", True), ("frame", True)]
    assert worker and worker[0] is not threading.main_thread()


def test_a_replaced_jobs_partial_result_is_dropped(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = JobRunner()
    handed, release = threading.Event(), threading.Event()
    seen: list[str] = []

    def old(progress: JobProgress) -> str:
        release.wait(10)
        progress.partial("old map")  # handed over after the new job replaced this one
        handed.set()
        return "old frame"

    runner.submit("old", old, seen.append, lambda err: seen.append(f"{err}"), on_partial=seen.append)
    runner.submit("new", lambda _p: "new frame", seen.append, lambda err: seen.append(f"{err}"))
    release.set()
    handed.wait(10)
    runner.wait(10_000)
    qtbot.waitUntil(lambda: "new frame" in seen, timeout=10_000)
    qtbot.wait(50)  # the old job's queued partial and result arrive, to be dropped
    assert seen == ["new frame"]


def test_sync_jobs_hand_partial_results_over_at_once() -> None:
    runner = JobRunner(sync=True)
    seen: list[str] = []

    def work(progress: JobProgress) -> str:
        progress.partial("map")
        seen.append("reading rows")
        return "frame"

    runner.submit("load", work, seen.append, lambda err: seen.append(f"{err}"), on_partial=seen.append)
    assert seen == ["map", "reading rows", "frame"]
