"""The map's toolbar: what the points are coloured by, the drag tool (pan, rectangle, lasso) and a
line saying how many rows are shown and selected."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

TOOLS = (
    ("pan", "Pan", "Pan and zoom (P, Esc)"),
    ("rect", "Rectangle", "Select with a rectangle (R); Shift adds, Ctrl removes"),
    ("lasso", "Lasso", "Select with a lasso (L); Shift adds, Ctrl removes"),
)


class MapToolbar(QWidget):
    """Emits ``toolChosen(mode)`` when a tool button is clicked; the map owns the colour box's items."""

    toolChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colour_box = QComboBox()
        self.status = QLabel("")
        self._buttons = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Colour by"))
        layout.addWidget(self.colour_box)
        layout.addSpacing(12)
        for mode, text, tip in TOOLS:
            button = QToolButton(text=text, checkable=True, toolTip=tip)
            button.setProperty("mode", mode)
            self._buttons.addButton(button)
            layout.addWidget(button)
        self._buttons.buttonClicked.connect(lambda b: self.toolChosen.emit(b.property("mode")))
        layout.addStretch(1)
        layout.addWidget(self.status)
        self.show_tool("pan")

    def show_tool(self, mode: str) -> None:
        """Check the button of ``mode`` (``pan``, ``rect`` or ``lasso``)."""
        for button in self._buttons.buttons():
            button.setChecked(button.property("mode") == mode)
