"""One check for "no clipped control": every visible widget at least its minimum size (hint).

Left out, by design: a table's header (its hint is QAbstractScrollArea's generic 68 × 68 square; its
view sizes it) and Qt's own parts of a composite widget (``qt_*``: scroll bars, viewports, a spin box's
editor), which follow the size of the widget that holds them, itself checked.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QWidget


def squeezed(root: QWidget) -> list[str]:
    """Visible widgets under ``root`` (and ``root``) smaller than their positive minimum size hint or
    their minimum size, one line each: type, text, size < needed size."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or (widget.isWindow() and widget is not root):
            continue
        if isinstance(widget, QHeaderView) or widget.objectName().startswith("qt_"):
            continue
        hint, minimum = widget.minimumSizeHint(), widget.minimumSize()
        need_w = max(hint.width() if hint.width() > 0 and hint.height() > 0 else 0, minimum.width())
        need_h = max(hint.height() if hint.width() > 0 and hint.height() > 0 else 0, minimum.height())
        if widget.width() < need_w or widget.height() < need_h:
            text = getattr(widget, "text", lambda: "")()
            found.append(
                f"{widget.objectName() or type(widget).__name__} {text!r}: "
                f"{widget.width()}x{widget.height()} < {need_w}x{need_h}"
            )
    return found
