"""Settings kept between sessions (QSettings): recent projects, window geometry and state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8


def app_settings() -> QSettings:
    """The application's settings store (per user, per platform)."""
    return QSettings("Strata", "Strata")


def recent_projects(settings: QSettings) -> list[str]:
    """Recently opened project paths that still exist, newest first."""
    value = settings.value("recent", [])
    paths = [value] if isinstance(value, str) else list(value or [])
    return [p for p in paths if Path(p).is_file()]


def remember_project(settings: QSettings, path: str | Path) -> None:
    """Put ``path`` first in the recent projects."""
    resolved = str(Path(path).resolve())
    paths = [resolved, *(p for p in recent_projects(settings) if p != resolved)][:MAX_RECENT]
    settings.setValue("recent", paths)
