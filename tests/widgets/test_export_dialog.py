"""The export dialog keeps its format and the file's extension in step, as the command line does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from widgets.export_dialog import ExportDialog


def test_the_format_follows_the_typed_extension_and_back(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ExportDialog(["text", "label"], 10, "all rows")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.out.clear()
    QTest.keyClicks(dialog.out, "/tmp/subset.csv")
    QTest.keyClick(dialog.out, Qt.Key.Key_Return)  # editing finished
    assert dialog.format.currentText() == "csv"
    assert dialog.options().format == "csv"
    dialog.format.setCurrentText("jsonl")
    assert dialog.out.text() == "/tmp/subset.jsonl"
    assert dialog.options().format == "jsonl"
