"""Fixtures of the window tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app.main_window import MainWindow


@pytest.fixture
def live_window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """A main window at 1366×768 whose jobs run on worker threads, as in the application."""
    win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.jobs.cancel()
    win.jobs.wait(30_000)
