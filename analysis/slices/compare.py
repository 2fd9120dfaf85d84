"""Two model runs side by side on the same slices: accuracy of each and the paired difference."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.slices.filters import evaluate, filter_table
from analysis.stats import paired_accuracy_difference, wilson_interval
from analysis.view_frame import load_view_frame
from storage.errors import InputError
from storage.project import Project
from storage.runs import list_runs, read_predictions
from storage.versions import get_version, read_rows


def compare_runs(
    project: Project, version_id: int, run_a: str, run_b: str, slices: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Accuracy of runs ``run_a`` and ``run_b`` on each slice, and B − A with a 95% paired interval.

    Returns
    -------
    list of dict
        Per slice: ``slice``, ``rows``, ``accuracy_a`` / ``accuracy_b`` with Wilson intervals,
        ``difference``, ``difference_low``, ``difference_high`` (paired Wald interval; see
        :func:`analysis.stats.paired_accuracy_difference`). An ``all rows`` entry comes first.

    Raises
    ------
    InputError
        When a run name is unknown or the version has no labels.
    """
    runs = {r.name: r.run_id for r in list_runs(project, version_id)}
    missing = [r for r in (run_a, run_b) if r not in runs]
    if missing:
        raise InputError(f"No model run named {missing}; runs on this version: {', '.join(runs) or 'none'}.")
    label = get_version(project, version_id).roles.get("label")
    if not isinstance(label, str):
        raise InputError("Comparing runs needs a label column.")
    given = read_rows(project, version_id, [label])[label].to_numpy()
    predicted = {r: read_predictions(project, runs[r])["predicted"].to_numpy() for r in (run_a, run_b)}
    labelled = np.array([g is not None for g in given])
    correct_a = (predicted[run_a] == given) & labelled
    correct_b = (predicted[run_b] == given) & labelled
    table = filter_table(load_view_frame(project, version_id))
    out = []
    for name, spec in {"all rows": {"where": None}, **slices}.items():
        mask = evaluate(table, spec) & labelled
        n = int(mask.sum())
        ka, kb = int(correct_a[mask].sum()), int(correct_b[mask].sum())
        (la, ha), (lb, hb) = wilson_interval(ka, n), wilson_interval(kb, n)
        diff, low, high = paired_accuracy_difference(correct_a[mask], correct_b[mask])
        out.append(
            {
                "slice": name,
                "rows": n,
                "accuracy_a": ka / n if n else float("nan"),
                "accuracy_a_ci": [float(la), float(ha)],
                "accuracy_b": kb / n if n else float("nan"),
                "accuracy_b_ci": [float(lb), float(hb)],
                "difference": diff,
                "difference_low": low,
                "difference_high": high,
            }
        )
    return out
