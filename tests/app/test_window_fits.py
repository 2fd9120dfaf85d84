"""The window at a laptop's 1366 × 768 and a desktop's 1920 × 1080: every visible control gets at least
the size it asks for, and the map and the work area get most of the room."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QTabWidget

from app.main_window import MainWindow
from tests.widget_sizes import squeezed


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_every_view_fits(window: MainWindow, sample_project: Path, size: tuple[int, int]) -> None:
    window.settings.clear()
    window.resize(*size)
    window.open_project(sample_project)
    from app.window_layout import fit_to

    fit_to(window, *size)
    QApplication.processEvents()
    assert window.width() <= size[0] and window.height() <= size[1]
    tabs: QTabWidget = window.work_tabs
    problems = []
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        for dock in ("Clusters", "Error modes", "Tags"):
            window.docks[dock].raise_()
            QApplication.processEvents()
            problems += [f"{tabs.tabText(index)}/{dock}: {p}" for p in squeezed(window)]
    assert not sorted(set(problems)), "\n".join(sorted(set(problems)))
    # the map gets the room: at least 45 % of the window's width and 40 % of its height
    plot = window.map_view.plot
    assert plot.width() >= 0.45 * size[0] - 240 and plot.height() >= 0.4 * size[1] - 60, plot.size()
