"""Column widths of the rows table: the text column gets the room, ids and numbers are narrow.

Each other column is sized to its contents, measured on a sample of rows (never the whole frame: a
100,000-row version must not stall the window) and its header, then capped by kind: numbers, booleans
and row ids narrow, labels and other strings medium. The text column takes what is left of the
viewport; when that is less than :data:`TEXT_MIN` the string columns give up width first, and only
then does the table scroll sideways.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from PySide6.QtGui import QFontMetrics

SAMPLE_ROWS = 200
MEASURED = 12
# Caps in pixels by kind of column; a wider value is elided and shown whole in its tooltip.
NUMBER_MAX = 110
STRING_MAX = 190
STRING_MIN = 110
TEXT_MIN = 360
# A cell's left and right margins plus the grid line; a header's room for the sort arrow.
CELL_PADDING = 14
HEADER_PADDING = 26


def cell_text(value: Any) -> str:
    """A cell value as the table shows it: "" for null, 4 significant digits for floats."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) < 200 else text[:197] + "…"


def _sample(series: pl.Series) -> list[Any]:
    """Up to :data:`SAMPLE_ROWS` values spread evenly over the column (first and last included)."""
    if series.len() <= SAMPLE_ROWS:
        return series.to_list()
    positions = np.unique(np.linspace(0, series.len() - 1, SAMPLE_ROWS).astype(np.int64))
    return series.gather(positions).to_list()


def _cap(dtype: pl.DataType) -> int:
    if dtype.is_numeric() or dtype == pl.Boolean:
        return NUMBER_MAX
    return STRING_MAX


def is_string(dtype: pl.DataType) -> bool:
    """Whether a column of this dtype is sized as a string column (medium, may shrink)."""
    return _cap(dtype) == STRING_MAX


def content_widths(
    frame: pl.DataFrame,
    columns: list[str],
    text_column: str | None,
    cells: QFontMetrics,
    headers: QFontMetrics,
) -> dict[str, int]:
    """Widths in pixels of every column but the text column.

    Parameters
    ----------
    frame : polars.DataFrame
        The rows shown.
    columns : list of str
        The columns shown, in order.
    text_column : str or None
        Left out of the result: it takes the remaining room (:func:`fit_widths`).
    cells, headers : QFontMetrics
        Metrics of the cells' and the header's fonts.

    Returns
    -------
    dict
        column → width: the widest of the sampled cells (the :data:`MEASURED` longest of
        :data:`SAMPLE_ROWS` rows spread over the frame) and the header, capped by the column's kind
        (:data:`NUMBER_MAX`, :data:`STRING_MAX`) but never narrower than its header.
    """
    widths = {}
    for name in columns:
        if name == text_column:
            continue
        header = headers.horizontalAdvance(name) + HEADER_PADDING
        texts = sorted({cell_text(v) for v in _sample(frame[name])}, key=len, reverse=True)
        # Measuring costs ~15 µs a string: only the longest few (by characters) can be the widest.
        cell = max((cells.horizontalAdvance(t) for t in texts[:MEASURED]), default=0)
        widths[name] = max(header, min(cell + CELL_PADDING, _cap(frame[name].dtype)))
    return widths


def fit_widths(viewport: int, widths: dict[str, int], shrinkable: set[str]) -> tuple[dict[str, int], int]:
    """Widths that leave the text column room: the columns in ``shrinkable`` (string columns) give
    up width, down to :data:`STRING_MIN` each and in proportion to what they have above it, until
    the text column has :data:`TEXT_MIN`; the text column then takes the rest of the viewport.

    Returns
    -------
    (dict, int)
        The other columns' widths and the text column's width (≥ TEXT_MIN; the table scrolls
        sideways when even the shrunk columns leave less).
    """
    need = TEXT_MIN - (viewport - sum(widths.values()))
    surplus = {n: widths[n] - STRING_MIN for n in shrinkable if widths.get(n, 0) > STRING_MIN}
    fitted = dict(widths)
    if need > 0 and surplus:
        share = min(1.0, need / sum(surplus.values()))
        for name, extra in surplus.items():
            fitted[name] = widths[name] - int(np.ceil(extra * share))
    return fitted, max(TEXT_MIN, viewport - sum(fitted.values()))
