"""The tags panel: the failure-mode taxonomy, applied to or removed from rows in one action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from widgets.swatch import swatch_icon

if TYPE_CHECKING:
    from storage.tags import TagInfo


class ColourButton(QPushButton):
    """A button showing a colour; a click opens the colour picker. ``text()`` is the colour's hex."""

    def __init__(self, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clicked.connect(self._pick)
        self.set_colour(colour)

    def set_colour(self, colour: str) -> None:
        """Show ``colour`` (any name Qt knows, e.g. ``#9467bd``)."""
        self._colour = QColor(colour)
        self.setIcon(swatch_icon(self._colour.name()))
        super().setText(self._colour.name())

    def text(self) -> str:  # type: ignore[override]
        return str(self._colour.name())

    def _pick(self) -> None:
        chosen = QColorDialog.getColor(self._colour, self, "Tag colour")
        if chosen.isValid():
            self.set_colour(chosen.name())


class NewTagDialog(QDialog):
    """Name, colour (a picker), description and kind of a new tag."""

    def __init__(self, kinds: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New tag")
        self.name = QLineEdit()
        self.colour = ColourButton("#9467bd")
        self.description = QLineEdit()
        self.kind = QComboBox()
        self.kind.addItems(kinds)
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Colour", self.colour)
        form.addRow("Description", self.description)
        form.addRow("Kind", self.kind)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class TagsPanel(QWidget):
    """Lists tags; emits what the user asks for, the controller does it (undoably)."""

    createRequested = Signal(str, str, str, str)  # name, colour, description, kind
    applyRequested = Signal(str, str, str)  # tag, scope ("selection" | "filter"), note
    removeRequested = Signal(str, str)  # tag, note

    def __init__(self, kinds: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kinds = kinds
        self.list = QListWidget()
        self.note = QLineEdit(placeholderText="note (why) — kept with each tag and in the audit log")
        new = QPushButton("New tag…")
        new.clicked.connect(self._new)
        apply_sel = QPushButton("Tag selection")
        apply_sel.setToolTip("Apply the chosen tag to every selected row (Ctrl+T)")
        apply_sel.clicked.connect(lambda: self._emit_apply("selection"))
        apply_filter = QPushButton("Tag rows matching the search")
        apply_filter.setToolTip("Apply the chosen tag to every row the table's text search matches")
        apply_filter.clicked.connect(lambda: self._emit_apply("filter"))
        remove = QPushButton("Untag selection")
        remove.clicked.connect(
            lambda: self.current() and self.removeRequested.emit(self.current(), self.note.text())
        )
        # two per row: the panel lives in a narrow dock
        buttons = QGridLayout()
        for i, b in enumerate((apply_sel, remove, new)):
            buttons.addWidget(b, i // 2, i % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addWidget(apply_filter)

    def set_tags(self, tags: list[TagInfo]) -> None:
        """Show the project's tags, human ones first."""
        chosen = self.current()
        self.list.clear()
        for tag in sorted(tags, key=lambda t: (t.kind == "error_mode", t.name)):
            pix = QPixmap(12, 12)
            pix.fill(QColor(tag.colour))
            item = QListWidgetItem(QIcon(pix), tag.name)
            item.setToolTip(f"{tag.kind}: {tag.description}")
            self.list.addItem(item)
            if tag.name == chosen:
                self.list.setCurrentItem(item)

    def current(self) -> str:
        """The chosen tag's name ('' when none)."""
        item = self.list.currentItem()
        return item.text() if item is not None else ""

    def choose(self, name: str) -> None:
        """Make ``name`` the chosen tag."""
        for i in range(self.list.count()):
            if self.list.item(i).text() == name:
                self.list.setCurrentRow(i)

    def _emit_apply(self, scope: str) -> None:
        if self.current():
            self.applyRequested.emit(self.current(), scope, self.note.text())

    def _new(self) -> None:
        dialog = NewTagDialog(self.kinds, self)
        if dialog.exec():
            self.createRequested.emit(
                dialog.name.text(), dialog.colour.text(), dialog.description.text(), dialog.kind.currentText()
            )
