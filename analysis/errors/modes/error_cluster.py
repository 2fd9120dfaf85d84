"""``error_cluster``: in a cluster whose error rate is significantly above the run's (one-sided
binomial test per cluster, Benjamini–Hochberg across clusters)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.errors.registry import batch, error_mode
from analysis.errors.statistics import error_dense_clusters
from storage.tags import TagBatch

if TYPE_CHECKING:
    from analysis.errors.spec import TagSpec
    from analysis.errors.tag_inputs import TagInputs


@error_mode("error_cluster", "#1f77b4", "In a cluster whose error rate is significantly above the run's.", 10)
def detect(inputs: TagInputs, spec: TagSpec) -> TagBatch | None:
    outcome = inputs.outcome
    if not inputs.has_text or outcome is None:
        return None
    evaluated, wrong = outcome
    clusters, names = inputs.stage.clustering()
    tests = error_dense_clusters(np.where(evaluated, clusters, -1), wrong, spec.error_cluster_alpha)
    dense = {t.label: t for t in tests if t.q_value < spec.error_cluster_alpha}
    details: list[dict[str, Any] | None] = [
        {
            "cluster": names.get(int(c), str(c)),
            "error_rate": round(dense[int(c)].error_rate, 4),
            "q_value": dense[int(c)].q_value,
        }
        if int(c) in dense
        else None
        for c in clusters
    ]
    rates = np.array([dense[int(c)].error_rate if int(c) in dense else 0.0 for c in clusters])
    return batch("error_cluster", np.isin(clusters, list(dense)), rates, details)
