"""Start the desktop application."""

from __future__ import annotations

import sys
from pathlib import Path

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


def run_gui(project: str | Path | None = None) -> int:
    """Open the main window (on ``project`` if given) and run the event loop until it closes."""
    app = ensure_app()
    window = open_window(project)
    window.show()
    return int(app.exec())
