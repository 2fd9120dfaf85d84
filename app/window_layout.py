"""Where the main window's views go: the map beside the inspector above one wide work area of tabs
(table, review, slices, confusion, diff, drift), and narrow side panels only for lists.

The views that need room (tables with text, charts, matrices) share the full width of the window in
tabs, as Orange and Qt Creator give their main editors the centre; the lists (project, clusters,
error modes, tags) are docked on the left. It fits 1366 × 768 and uses the space at 1920 × 1080.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea, QSplitter, QTabWidget, QWidget

if TYPE_CHECKING:
    from app.main_window import MainWindow

SIDE_WIDTH = 0.19  # of the window's width, for the list docks
INSPECTOR_WIDTH = 0.24  # of the map row's width
MAP_HEIGHT = 0.56  # of the central area's height


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area, so a tall panel scrolls instead of growing the window."""
    scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


def build_layout(window: MainWindow) -> None:
    """Place the window's views; sets ``window.work_tabs``, ``window.docks`` and the splitters."""
    tabs = QTabWidget(documentMode=True)
    tabs.setObjectName("work_tabs")
    for widget, title in (
        (window.table_view, "Table"),
        (scrolling(window.curation.review), "Review"),
        (window.slicing.panel, "Slices"),
        (window.curation.confusion, "Confusion"),
        (window.compare_runs.view, "Compare runs"),
        (window.versions.diff_view, "Version diff"),
        (window.versions.drift_view, "Drift"),
        (window.agreement.view, "Agreement"),
        (window.gold.contamination_view, "Contamination"),
        (window.gold.gold_view, "Gold sets"),
        (window.governance.view, "Governance"),
    ):
        tabs.addTab(widget, title)
    window.work_tabs = tabs

    window.map_row = QSplitter(Qt.Orientation.Horizontal)
    window.map_row.addWidget(window.map_view)
    window.map_row.addWidget(scrolling(window.curation.inspector))
    window.map_row.setStretchFactor(0, 1)
    window.central = QSplitter(Qt.Orientation.Vertical)
    window.central.addWidget(window.map_row)
    window.central.addWidget(tabs)
    window.central.setStretchFactor(0, 1)
    window.central.setChildrenCollapsible(False)
    window.setCentralWidget(window.central)

    window.docks = {}
    for title, widget in (
        ("Project", window.project_panel),
        ("Clusters", window.clusters_view),
        ("Error modes", window.curation.errors),
        ("Tags", scrolling(window.curation.tags)),
    ):
        dock = QDockWidget(title, window)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(widget)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        window.docks[title] = dock
    window.splitDockWidget(window.docks["Project"], window.docks["Clusters"], Qt.Orientation.Vertical)
    for title in ("Error modes", "Tags"):
        window.tabifyDockWidget(window.docks["Clusters"], window.docks[title])
    window.docks["Clusters"].raise_()


def fit_to(window: MainWindow, width: int, height: int) -> None:
    """Share ``width`` × ``height`` out between the docks, the map row and the work area."""
    side = max(230, int(width * SIDE_WIDTH))
    window.resizeDocks([window.docks["Project"]], [side], Qt.Orientation.Horizontal)
    window.resizeDocks(
        [window.docks["Project"], window.docks["Clusters"]],
        [int(height * 0.3), int(height * 0.7)],
        Qt.Orientation.Vertical,
    )
    row = width - side
    inspector = max(260, int(row * INSPECTOR_WIDTH))
    window.map_row.setSizes([row - inspector, inspector])
    window.central.setSizes([int(height * MAP_HEIGHT), height - int(height * MAP_HEIGHT)])
