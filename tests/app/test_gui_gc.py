"""Garbage is collected on the GUI thread: a job's worker thread that allocates must not run Python's
cycle collector on a closed window's widgets (that deadlocked the suite in PySide6's destructors)."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from app.gui import collect_on_gui_thread


class _Cycle:
    """An object in a reference cycle that records the thread it is destroyed on."""

    died_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.died_on.append(threading.current_thread().name)


def _allocate_on_a_worker() -> None:
    def work() -> None:
        garbage = [[i] for i in range(200_000)]  # enough allocations to trigger the collector
        del garbage

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    worker.join()


def test_a_worker_thread_does_not_collect_and_the_gui_timer_does(qtbot) -> None:  # type: ignore[no-untyped-def]
    collector = collect_on_gui_thread(0.05)
    try:
        _Cycle.died_on.clear()
        _Cycle()
        _allocate_on_a_worker()
        assert _Cycle.died_on == []  # the worker's allocations did not run the collector
        assert not gc.isenabled() and collector.timer.isActive()
        gc.collect()  # what the collector's timer does on this thread once enough has been allocated
        assert _Cycle.died_on == [threading.main_thread().name]
    finally:
        collector.timer.stop()
        gc.enable()


def test_what_lives_at_the_start_is_left_out_of_later_collections(qtbot) -> None:  # type: ignore[no-untyped-def]
    """With torch, Qt and the views loaded a full collection walks millions of objects (~0.3 s on the
    GUI thread each time); the objects alive when collection moves to the GUI thread are frozen, and
    garbage made later is still collected."""
    import torch  # noqa: F401  # loaded as the application has it

    import app.main_window  # noqa: F401

    gc.unfreeze()
    collector = collect_on_gui_thread(0.05)
    try:
        assert gc.get_freeze_count() > 100_000
        _Cycle.died_on.clear()
        _Cycle()
        gc.collect()
        assert _Cycle.died_on == [threading.main_thread().name]
    finally:
        collector.timer.stop()
        gc.enable()
