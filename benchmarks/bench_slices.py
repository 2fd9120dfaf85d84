"""Slice metrics on 1M rows (data in memory) and SliceLine on 100k rows × 10 columns.

Rows are synthetic: 20 classes, a model right 85% of the time, confidences in [0, 1]; the slice is
a quarter of the rows. SliceLine's table has columns of 2 to 12 values with a planted slice (two
predicates, 90% errors) among 8% background errors.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np
from common import print_table, run_case


def metrics_case(n: int, per_class: bool) -> dict[str, Any]:
    from analysis.slices.metrics import slice_metrics

    rng = np.random.default_rng(0)
    classes = [f"class_{i:02d}" for i in range(20)]
    given = rng.integers(0, 20, n)  # labels encoded once (encode_labels) when the data is loaded
    predicted = np.where(rng.random(n) < 0.85, given, rng.integers(0, 20, n))
    confidence = rng.random(n)
    mask = rng.random(n) < 0.25
    times = []
    for _ in range(5):
        start = time.perf_counter()
        slice_metrics("bench", mask, given, predicted, classes, confidence, per_class=per_class)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    what = "slice metrics + per-class P/R/F1" if per_class else "slice metrics (accuracy, Wilson, test, ECE)"
    return {"what": what, "rows": n, "seconds": seconds, "ms": seconds * 1000, "rows/s": n / seconds}


def sliceline_case(n: int) -> dict[str, Any]:
    from analysis.slices.sliceline import SliceLineSpec, find_slices

    rng = np.random.default_rng(0)
    codes = np.column_stack([rng.integers(0, c, n) for c in (2, 2, 3, 4, 5, 6, 8, 8, 10, 12)])
    errors = (rng.random(n) < 0.08).astype(float)
    planted = (codes[:, 0] == 1) & (codes[:, 1] == 0)
    errors[planted] = rng.random(planted.sum()) < 0.9
    start = time.perf_counter()
    found = find_slices(codes, errors, SliceLineSpec())
    seconds = time.perf_counter() - start
    best = found[0].predicates == ((0, 1), (1, 0)) if found else False
    return {
        "what": f"SliceLine, 10 columns (planted slice found first: {best})",
        "rows": n,
        "seconds": seconds,
        "ms": seconds * 1000,
        "rows/s": n / seconds,
    }


def main() -> str:
    rows = [
        run_case(metrics_case, n=1_000_000, per_class=False),
        run_case(metrics_case, n=1_000_000, per_class=True),
        run_case(sliceline_case, n=100_000),
    ]
    return print_table("Slices", rows, ["what", "rows", "ms", "rows/s", "peak_mib"])


if __name__ == "__main__":
    main()
