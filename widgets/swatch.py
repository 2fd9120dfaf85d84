"""Colour swatches for list and table items: a category's colour beside black text, readable for any
colour (a light grey drawn as text on white is not)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

RGBA = tuple[int, int, int, int]


def swatch_icon(colour: str | RGBA | QColor, size: int = 12) -> QIcon:
    """A ``size`` × ``size`` square of ``colour`` (hex text, RGBA tuple or QColor) with a thin dark
    outline, so that pale colours still show their edge on a white row."""
    fill = (
        colour
        if isinstance(colour, QColor)
        else QColor(*colour)
        if isinstance(colour, tuple)
        else QColor(colour)
    )
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setPen(QColor(90, 90, 90))
    painter.setBrush(fill)
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)
