"""The metrics of a set of slices on one version, as the command line and the slice panel show them:
one :class:`SliceMetrics` per slice that runs, BH-corrected across them, and the slices that do not
run (saved by an older Strata, or for another version's columns) with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.slices.filters import evaluate
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


def metrics_of_slices(
    frame: ViewFrame,
    table: pl.DataFrame,
    codes: SliceCodes,
    slices: dict[str, dict[str, Any]],
    per_class: bool = True,
) -> tuple[list[SliceMetrics], dict[str, str]]:
    """Metrics of every slice that runs on ``table`` (with q-values by Benjamini–Hochberg across them;
    per-class precision / recall / F1 when ``per_class``), and name → reason for the ones that do not."""
    metrics, broken = [], {}
    for name, spec in slices.items():
        try:
            mask = evaluate(table, spec)
        except InputError as err:
            broken[name] = str(err)
            continue
        metrics.append(
            slice_metrics(
                name,
                mask,
                codes.given,
                codes.predicted,
                frame.class_names,
                codes.confidence,
                per_class=per_class,
            )
        )
    benjamini_hochberg(metrics)
    return metrics, broken
