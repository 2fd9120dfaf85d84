"""The new-tag dialog picks its colour with a colour picker, not a hex field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QColorDialog

from widgets.tags_panel import NewTagDialog


def test_the_colour_button_opens_the_picker_and_keeps_its_choice(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    dialog = NewTagDialog(["failure_mode"])
    qtbot.addWidget(dialog)
    asked = []

    def pick(initial: QColor, parent: object, title: str) -> QColor:
        asked.append(initial.name())
        return QColor("#2ca02c")

    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(pick))
    assert dialog.colour.text() == "#9467bd"
    QTest.mouseClick(dialog.colour, Qt.MouseButton.LeftButton)
    assert asked == ["#9467bd"]
    assert dialog.colour.text() == "#2ca02c"
    assert not dialog.colour.icon().isNull()
    # a cancelled picker (an invalid colour) keeps the colour
    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(lambda *_: QColor()))
    QTest.mouseClick(dialog.colour, Qt.MouseButton.LeftButton)
    assert dialog.colour.text() == "#2ca02c"
