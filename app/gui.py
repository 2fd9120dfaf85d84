"""Start the desktop application."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtWidgets import QApplication

from app.main_window import open_window


def ensure_app() -> QApplication:
    """Return the QApplication, creating it if needed."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Strata")
        app.setOrganizationName("Strata")
    assert isinstance(app, QApplication)
    return app


def collect_on_gui_thread(interval_s: float = 1.0) -> GarbageCollector:
    """Run Python's cycle collector on the GUI thread only, every ``interval_s`` seconds.

    Left automatic, it runs on whichever thread allocates: a job's worker thread then destroys a
    closed window's widgets, which deadlocks with the GUI thread (it hung the test suite). pyqtgraph's
    collector disables the automatic one and collects on a GUI-thread timer; stop its ``timer`` and
    call ``gc.enable()`` to undo.

    What is alive now (modules, classes and torch's objects: millions) is collected once and frozen
    (``gc.freeze``), so later full collections walk only what was made since: ~0.3 s of GUI thread
    each time otherwise. Frozen objects are still freed when their last reference goes; only a cycle
    among them would stay.
    """
    gc.collect()
    gc.freeze()
    return GarbageCollector(interval=interval_s)


def run_gui(project: str | Path | None = None) -> int:
    """Open the main window (on ``project`` if given) and run the event loop until it closes."""
    app = ensure_app()
    collector = collect_on_gui_thread()
    window = open_window(project)
    window.show()
    try:
        return int(app.exec())
    finally:
        collector.timer.stop()
