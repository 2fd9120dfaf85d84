"""The main window's menus, their shortcuts, and the Help → Keyboard shortcuts sheet built from them
(so the sheet can never list a shortcut the menus do not have)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QMenu, QTableWidget, QTableWidgetItem, QVBoxLayout

if TYPE_CHECKING:
    from app.main_window import MainWindow

# Keys handled by views rather than menus, for the sheet.
VIEW_KEYS = [
    ("Map", "Click / Shift+click / Ctrl+click", "Select a point / add it / remove it"),
    ("Map", "Double-click", "Open the row in the table"),
    ("Map", "Esc", "Pan and zoom"),
    ("Review", "A / K / O / S / T", "Accept suggestion / keep label / other label / skip / tag"),
    ("Review", "Backspace", "Back to the previous row"),
    ("Slices", "Delete", "Delete the chosen slice"),
    ("Clusters", "Double-click a name", "Rename the cluster"),
]


def add_action(
    window: MainWindow, menu: QMenu, text: str, slot: Callable[[], Any], shortcut: Any = None
) -> QAction:
    """Add an action to ``menu`` (and to the window, so its shortcut works wherever the focus is)."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def build_menus(window: MainWindow) -> None:
    """File, Edit, Selection, View, Pipeline, Governance and Help menus."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    add_action(window, file_menu, "&New project…", window.new_project, QKeySequence.StandardKey.New)
    add_action(window, file_menu, "&Open project…", window.open_project, QKeySequence.StandardKey.Open)
    window.recent_menu = file_menu.addMenu("Open &recent")
    add_action(window, file_menu, "&Import dataset…", window.import_dialog, "Ctrl+I")
    add_action(window, file_menu, "&Export rows…", window.export_rows, "Ctrl+E")
    file_menu.addSeparator()
    add_action(window, file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit)

    edit_menu = bar.addMenu("&Edit")
    undo = window.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = window.undo_stack.createRedoAction(window, "&Redo")
    # the platform's redo key (Ctrl+Y on some desktops) and Ctrl+Shift+Z on all
    redo.setShortcuts(
        [*QKeySequence.keyBindings(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z")]
    )
    edit_menu.addActions([undo, redo])
    edit_menu.addSeparator()
    add_action(window, edit_menu, "&Tag selection", window.tag_selection, "Ctrl+T")

    select_menu = bar.addMenu("&Selection")
    add_action(
        window, select_menu, "&Clear selection", lambda: window.selection.clear(window), "Ctrl+Shift+A"
    )
    add_action(window, select_menu, "&Rectangle select", lambda: window.map_view.set_select_mode("rect"), "R")
    add_action(window, select_menu, "&Lasso select", lambda: window.map_view.set_select_mode("lasso"), "L")
    add_action(window, select_menu, "&Pan", lambda: window.map_view.set_select_mode("pan"), "P")
    add_action(
        window, select_menu, "&Find text", window.table_view.search.setFocus, QKeySequence.StandardKey.Find
    )
    add_action(window, select_menu, "&Export selection…", lambda: window.export_rows(selection=True))

    view_menu = bar.addMenu("&View")
    for index in range(window.work_tabs.count()):
        title = window.work_tabs.tabText(index)
        add_action(
            window,
            view_menu,
            title,
            lambda i=index: window.work_tabs.setCurrentIndex(i),
            f"Alt+{index + 1}" if index < 9 else None,
        )
    view_menu.addSeparator()
    add_action(window, view_menu, "&Fit map", window.map_view.fit, "F")
    view_menu.addSeparator()
    for dock in window.docks.values():
        view_menu.addAction(dock.toggleViewAction())

    run_menu = bar.addMenu("&Pipeline")
    add_action(window, run_menu, "&Run all stages", window.run_pipeline, "Ctrl+R")
    add_action(window, run_menu, "Queue rows to &label", window.label_queue.queue, "Ctrl+Shift+L")
    add_action(window, run_menu, "&Cancel job", window.jobs.cancel, "Ctrl+.")
    add_action(window, run_menu, "Re&view label issues", window.start_review, "Ctrl+Shift+R")

    governance = bar.addMenu("&Governance")
    add_action(window, governance, "&Approve version…", window.governance.approve, "Ctrl+Shift+P")
    add_action(window, governance, "Dataset &metadata…", window.governance.edit_meta)
    add_action(window, governance, "Write &report…", window.governance.report, "Ctrl+Shift+H")

    help_menu = bar.addMenu("&Help")
    add_action(window, help_menu, "&Keyboard shortcuts", lambda: shortcuts_sheet(window).exec(), "F1")
    add_action(window, help_menu, "&About Strata", window.about)


def shortcut_rows(window: MainWindow) -> list[tuple[str, str, str]]:
    """(where, keys, what) for every menu action with a shortcut, then the views' own keys."""
    rows = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if not isinstance(menu, QMenu):
            continue
        where = menu_action.text().replace("&", "")
        for action in menu.actions():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                rows.append((where, keys, action.text().replace("&", "").rstrip("…")))
    return rows + VIEW_KEYS


def shortcuts_sheet(window: MainWindow) -> QDialog:
    """A dialog listing every keyboard shortcut."""
    dialog = QDialog(window)
    dialog.setWindowTitle("Keyboard shortcuts")
    rows = shortcut_rows(window)
    table = QTableWidget(len(rows), 3)
    table.setHorizontalHeaderLabels(["Where", "Keys", "Does"])
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    dialog.resize(620, 520)
    return dialog
