"""The metrics of a set of slices on one version, as the command line and the slice panel show them:
one :class:`SliceMetrics` per slice that runs, BH-corrected across them, and the slices that do not
run (saved by an older Strata, or for another version's columns) with the reason.

:func:`slice_report` is the one entry point: ``strata slices`` prints its :class:`SliceReport` and
the slice panel draws it, so the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.progress import Progress, check_cancel
from analysis.slices.filters import describe, evaluate
from analysis.slices.metrics import SliceMetrics, benjamini_hochberg, encode_labels, slice_metrics
from analysis.slices.tokens import token_totals
from analysis.view_frame import ViewFrame
from storage.errors import InputError
from storage.generations import GENERATIVE


@dataclass(frozen=True)
class SliceCodes:
    """Given and predicted labels as class indices (int64, shape (n,)), and the confidence (float64, or
    None without probabilities)."""

    given: NDArray[np.int64]
    predicted: NDArray[np.int64]
    confidence: NDArray[np.float64] | None
    generative: bool = False


def slice_codes(frame: ViewFrame, table: pl.DataFrame) -> SliceCodes | None:
    """What slice metrics are computed from; None without labels and a model run.

    For a generative run the "label" is the verdict: given 1 where the evaluator judged the row (-1
    where not), predicted 1 where it passed, so accuracy is the pass rate among judged rows.
    """
    if frame.run_kind == GENERATIVE and "correct" in table.columns:
        verdict = table["correct"]
        judged = verdict.is_not_null().to_numpy()
        return SliceCodes(
            np.where(judged, 1, -1).astype(np.int64),
            verdict.fill_null(False).cast(pl.Int64).to_numpy(),
            None,
            generative=True,
        )
    if frame.label_column is None or "predicted" not in table.columns:
        return None
    confidence = table["confidence"]
    return SliceCodes(
        encode_labels(table[frame.label_column].to_list(), frame.class_names),
        encode_labels(table["predicted"].to_list(), frame.class_names),
        None if confidence.null_count() == len(confidence) else confidence.to_numpy(),
    )


NEEDS_RUN = (
    "Slice metrics need labels and a model run, or a generative run with verdicts: import one with "
    "`strata import-run`."
)


@dataclass(frozen=True)
class SliceReport:
    """The saved (or given) slices of one version with their metrics.

    Attributes
    ----------
    filters : dict
        name → filter spec, every slice asked about.
    metrics : list of SliceMetrics
        One per slice whose filter runs, in the order given, q-values by Benjamini–Hochberg across
        them; empty when :attr:`needs_run`.
    broken : dict
        name → reason, the slices whose filter does not run on this version.
    needs_run : bool
        The version has no labels or no model run, so there are no metrics (filters are still
        checked: :attr:`broken` is filled).
    """

    filters: dict[str, dict[str, Any]]
    metrics: list[SliceMetrics] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)
    needs_run: bool = False

    def by_name(self) -> dict[str, SliceMetrics]:
        """name → metrics of the slices that run."""
        return {m.name: m for m in self.metrics}

    def to_json(self) -> dict[str, Any]:
        """name → the metrics as plain values with the filter as text, or ``{"error": reason}``."""
        report: dict[str, Any] = {
            m.name: m.as_dict() | {"filter": describe(self.filters[m.name])} for m in self.metrics
        }
        return report | {name: {"error": reason} for name, reason in self.broken.items()}


def slice_report(
    frame: ViewFrame,
    table: pl.DataFrame,
    slices: dict[str, dict[str, Any]],
    per_class: bool = True,
    progress: Progress | None = None,
) -> SliceReport:
    """Every slice's filter checked on ``table`` and, with labels and a model run, its metrics.

    Parameters
    ----------
    frame : ViewFrame
        The version (its label column and class names).
    table : polars.DataFrame
        Its filter table (:func:`analysis.slices.filters.filter_table`).
    slices : dict
        name → filter spec (``{"where": …, "row_keys": …}``).
    per_class : bool
        Also per-class precision / recall / F1 with macro and micro averages.
    progress : Progress, optional
        Advanced once per slice; polled for cancellation between slices.

    Returns
    -------
    SliceReport

    Raises
    ------
    analysis.progress.Cancelled
        When ``progress`` asks to stop.
    """
    codes = slice_codes(frame, table)
    if progress is not None:
        progress.total(len(slices))
    metrics, broken = [], {}
    for name, spec in slices.items():
        if progress is not None:
            check_cancel(progress)
        try:
            mask = evaluate(table, spec)
        except InputError as err:
            broken[name] = str(err)
            mask = None
        if mask is not None and codes is not None:
            found = slice_metrics(
                name,
                mask,
                codes.given,
                codes.predicted,
                frame.class_names,
                codes.confidence,
                per_class and not codes.generative,
            )
            found.tokens = token_totals(table, mask)
            metrics.append(found)
        if progress is not None:
            progress.advance()
    benjamini_hochberg(metrics)
    return SliceReport(dict(slices), metrics, broken, needs_run=codes is None)
