"""The test session fails a test whose slot raises (Qt would print the traceback and carry on)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RAISING = """
from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    fired = Signal()


def test_a_slot_raises(qtbot):
    emitter = Emitter()
    emitter.fired.connect(lambda: 1 / 0)
    emitter.fired.emit()


def test_a_slot_raises_without_qtbot(qapp):
    emitter = Emitter()
    emitter.fired.connect(lambda: [][1])
    emitter.fired.emit()
"""


def test_exceptions_in_slots_fail_the_test(tmp_path: Path) -> None:
    tests = ROOT / "tests" / "app" / "_generated_slot_test.py"
    tests.write_text(RAISING)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        tests.unlink()
    assert done.returncode == 1, done.stdout
    assert "2 failed" in done.stdout
    assert "ZeroDivisionError" in done.stdout and "IndexError" in done.stdout
