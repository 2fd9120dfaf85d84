"""The Qt binding keeps Python's reference counts right: PySide6 6.12.0 drops a reference to None on
every call of a method returning nothing (on Python 3.11, where None is not immortal), so a long
session — an event loop spun from Python, a heartbeat, many jobs — ends in "Fatal Python error:
none_dealloc". pyproject pins the binding below 6.12; this test fails on a broken one."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QLabel


def test_void_qt_calls_do_not_release_none(qapp) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(2000):
        QCoreApplication.processEvents()
        label.setText("x")
        timer.start(1000)
    timer.stop()
    # a few references come and go with the interpreter's own work; thousands lost is the bug
    assert sys.getrefcount(None) > before - 200
