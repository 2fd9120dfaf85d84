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
from analysis.view_frame import ViewFrame
from storage.errors import InputError


@dataclass(frozen=True)
class SliceCodes:
    """Given and predicted labels as class indices (int64, shape (n,)), and the confidence (float64, or
    None without probabilities)."""

    given: NDArray[np.int64]
    predicted: NDArray[np.int64]
    confidence: NDArray[np.float64] | None


def slice_codes(frame: ViewFrame, table: pl.DataFrame) -> SliceCodes | None:
    """What slice metrics are computed from; None without labels and a model run."""
    if frame.label_column is None or "predicted" not in table.columns:
        return None
    confidence = table["confidence"]
    return SliceCodes(
        encode_labels(table[frame.label_column].to_list(), frame.class_names),
        encode_labels(table["predicted"].to_list(), frame.class_names),
        None if confidence.null_count() == len(confidence) else confidence.to_numpy(),
    )


NEEDS_RUN = "Slice metrics need labels and a model run: import one with `strata import-run`."


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
            metrics.append(
                slice_metrics(
                    name, mask, codes.given, codes.predicted, frame.class_names, codes.confidence, per_class
                )
            )
        if progress is not None:
            progress.advance()
    benjamini_hochberg(metrics)
    return SliceReport(dict(slices), metrics, broken, needs_run=codes is None)
