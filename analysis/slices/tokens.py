"""Token totals of a set of rows (a slice, an export), from the frame's token columns: the
``tokens`` stage's ``text_tokens``, a generative run's ``response_tokens`` and their sum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.slices.export_rows import ExportOptions, dedupe_and_sample
from analysis.slices.filters import evaluate, filter_table
from analysis.view_frame import TOKEN_COLUMNS, ViewFrame
from storage.project import Project


def token_totals(table: pl.DataFrame, mask: NDArray[np.bool_] | None = None) -> dict[str, int]:
    """Tokens of the rows in ``mask`` (all rows by default): ``text``, ``response`` and ``total``, each
    where the table has its column; {} when it has none (before the ``tokens`` stage ran).

    Parameters
    ----------
    table : polars.DataFrame
        A frame's rows or filter table, n rows.
    mask : numpy.ndarray, optional
        bool (n,).
    """
    present = [c for c in TOKEN_COLUMNS if c in table.columns]
    if not present:
        return {}
    rows = table if mask is None else table.filter(pl.Series(mask))
    sums = rows.select(pl.col(present).sum()).row(0)
    return {c.removesuffix("_tokens"): int(v or 0) for c, v in zip(present, sums, strict=True)}


def total_tokens(tokens: dict[str, int]) -> int | None:
    """The total of a :func:`token_totals` dict: text and responses together, else whichever it has;
    None when it is empty."""
    return tokens.get("total", tokens.get("text", tokens.get("response")))


def describe_tokens(tokens: dict[str, int]) -> str:
    """``12,345 tokens (text 2,000 + response 10,345)``; "" when ``tokens`` is empty."""
    total = total_tokens(tokens)
    if total is None:
        return ""
    parts = " + ".join(f"{k} {v:,}" for k, v in tokens.items() if k != "total")
    return f"{total:,} tokens" + (f" ({parts})" if "total" in tokens else "")


@dataclass(frozen=True)
class ExportTokens:
    """Rows and tokens of the whole version, of the filter's rows, and of what an export would write
    (after de-duplication and sampling); each tokens dict as :func:`token_totals` gives it."""

    version_rows: int
    version: dict[str, int]
    matching_rows: int
    matching: dict[str, int]
    exported_rows: int
    exported: dict[str, int]

    def describe(self) -> str:
        """One line per step, e.g. ``version: 805 rows, 212,004 tokens``; a note when there are no counts."""
        if not self.version:
            return "Token counts appear once the pipeline has run (its tokens stage)."
        lines = []
        for step, rows, tokens in (
            ("Version", self.version_rows, self.version),
            ("Filter", self.matching_rows, self.matching),
            ("Exported", self.exported_rows, self.exported),
        ):
            lines.append(f"{step}: {rows:,} rows, {describe_tokens(tokens)}")
        return "\n".join(lines)


def export_tokens(
    project: Project, frame: ViewFrame, filter_spec: dict[str, Any], options: ExportOptions
) -> ExportTokens:
    """Tokens before and after the filter, de-duplication and sample an export would apply.

    Raises
    ------
    storage.errors.InputError
        For an invalid filter, as :func:`analysis.slices.export_rows.dedupe_and_sample`.
    """
    table = filter_table(frame)
    matching = evaluate(table, filter_spec)
    exported = dedupe_and_sample(project, frame, table.filter(pl.Series(matching)), options)
    return ExportTokens(
        table.height,
        token_totals(table),
        int(matching.sum()),
        token_totals(table, matching),
        exported.height,
        token_totals(exported),
    )
