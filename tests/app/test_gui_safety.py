"""The window's side of "nothing lost": deleting a slice (undoable), asking before an export replaces
files, and a passphrase dialog for an encrypted project; driven with real mouse and key events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget

from analysis.slices.filters import evaluate, list_slices
from app.main_window import MainWindow
from storage.project import Project
from widgets.export_dialog import ExportDialog


def when_modal(act: Callable[[QWidget], None]) -> None:
    """Act on the next modal dialog as soon as it is shown."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, poll)
        else:
            act(dialog)

    QTimer.singleShot(0, poll)


def click_button(which: QMessageBox.StandardButton) -> Callable[[QWidget], None]:
    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        QTest.mouseClick(dialog.button(which), Qt.MouseButton.LeftButton)

    return act


def test_delete_a_slice_with_the_delete_key_and_undo(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    panel = window.slicing.panel
    window.work_tabs.setCurrentWidget(panel)  # the Slices tab
    assert window.project is not None
    before = list_slices(window.project)
    name = panel.saved.item(0, 0).text()
    rect = panel.saved.visualItemRect(panel.saved.item(0, 0))
    QTest.mouseClick(panel.saved.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.delete.isEnabled()
    panel.saved.setFocus()
    QTest.keyClick(panel.saved, Qt.Key.Key_Delete)
    assert name not in list_slices(window.project)
    assert name not in [panel.saved.item(r, 0).text() for r in range(panel.saved.rowCount())]
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert list_slices(window.project) == before
    assert "Restored slice" in panel.message.text()


def test_export_asks_before_replacing_a_file(
    window: MainWindow, sample_project: Path, tmp_path: Path
) -> None:
    window.open_project(sample_project)
    where = "label = 'card_arrival'"
    out = tmp_path / "arrival.csv"
    out.write_text("precious\n")
    matching = int(evaluate(window.slicing.table, {"where": where}).sum())
    dialog = ExportDialog(["text", "label"], matching, where)
    dialog.out.setText(str(out))
    when_modal(click_button(QMessageBox.StandardButton.No))
    window.slicing.export_with(dialog, where)
    assert out.read_text() == "precious\n"
    assert "nothing was written" in window.slicing.panel.message.text()
    when_modal(click_button(QMessageBox.StandardButton.Yes))
    window.slicing.export_with(dialog, where)
    assert out.read_text().startswith("id,text,label")
    assert f"Exported {matching} rows" in window.slicing.panel.message.text()


def test_an_encrypted_project_asks_for_its_passphrase(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sqlcipher3")
    monkeypatch.delenv("STRATA_PASSPHRASE", raising=False)
    path = tmp_path / "secret.strata"
    Project.create(path, passphrase="open sesame").close()

    def type_passphrase(text: str) -> Callable[[QWidget], None]:
        def act(dialog: QWidget) -> None:
            edit = dialog.findChild(QLineEdit)
            assert edit is not None and edit.echoMode() == QLineEdit.EchoMode.Password
            QTest.keyClicks(edit, text)
            QTest.keyClick(edit, Qt.Key.Key_Return)

        return act

    when_modal(type_passphrase("wrong"))
    window.open_project(path)
    assert window.project is None and "passphrase is wrong" in window.last_error
    when_modal(type_passphrase("open sesame"))
    window.open_project(path)
    assert window.project is not None and window.project.encrypted
    assert "encrypted" in window.windowTitle()


def test_saving_a_slice_while_another_process_writes_says_busy(
    window: MainWindow, sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from PySide6.QtWidgets import QPushButton

    import storage.project as project_module

    monkeypatch.setattr(project_module, "BUSY_TIMEOUT_S", 0.3)
    window.open_project(sample_project)
    panel = window.slicing.panel
    QTest.keyClicks(panel.name, "short texts")
    QTest.keyClicks(panel.expression, "length(text) < 20")
    save = next(b for b in panel.findChildren(QPushButton) if b.text() == "Save slice")
    holder = sqlite3.connect(sample_project, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another Strata process is writing
    try:
        QTest.mouseClick(save, Qt.MouseButton.LeftButton)
        assert "busy in another Strata process" in panel.message.text()
    finally:
        holder.rollback()
        holder.close()
    assert window.project is not None and "short texts" not in list_slices(window.project)
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)
    assert "short texts" in list_slices(window.project)
