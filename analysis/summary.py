"""A project's summary: datasets, versions, runs with accuracy, stages done and clusters."""

from __future__ import annotations

from typing import Any

import numpy as np

from storage.project import Project
from storage.runs import list_runs, read_predictions
from storage.stage_outputs import read_clusters, stage_records
from storage.versions import list_versions, read_rows


def run_accuracy(project: Project, version_id: int, run_id: int, label: str | None) -> float | None:
    """Return the share of labelled rows whose predicted label equals the given label (None unlabelled)."""
    if label is None:
        return None
    given = read_rows(project, version_id, [label])[label]
    predicted = read_predictions(project, run_id)["predicted"]
    labelled = given.is_not_null()
    if not labelled.any():
        return None
    matches = given.filter(labelled).to_numpy() == predicted.filter(labelled).to_numpy()
    return float(np.mean(matches))


def project_summary(project: Project, top_clusters: int = 5) -> dict[str, Any]:
    """Summarise a project for ``strata info`` and the demo's ``summary.json``.

    Returns
    -------
    dict
        ``{"path", "schema", "datasets": [{"name", "version", "version_id", "rows", "roles", "classes",
        "runs": [{"name", "accuracy", "probabilities"}], "stages": {stage: seconds}, "clusters": int,
        "noise_rows": int, "top_error_clusters": [{"name", "size", "error_rate"}]}]}``.
    """
    datasets = []
    for v in list_versions(project):
        label = v.roles.get("label")
        label_col = label if isinstance(label, str) else None
        runs = [
            {
                "name": r.name,
                "accuracy": run_accuracy(project, v.version_id, r.run_id, label_col),
                "probabilities": r.has_probabilities,
            }
            for r in list_runs(project, v.version_id)
        ]
        stages = [(r.stage, r.seconds) for r in reversed(stage_records(project, v.version_id))]
        clusters, labels = read_clusters(project, v.version_id)
        ranked = sorted((c for c in clusters if c.error_rate is not None), key=lambda c: -(c.error_rate or 0))
        datasets.append(
            {
                "name": v.dataset,
                "version": v.number,
                "version_id": v.version_id,
                "rows": v.rows,
                "imported_at": v.imported_at.isoformat(timespec="seconds") if v.imported_at else None,
                "source_sha256": v.source_sha256,
                "note": v.note,
                "roles": v.roles,
                "classes": len(v.label_names),
                "runs": runs,
                "stages": {stage: round(sec, 3) for stage, sec in stages},
                "clusters": len(clusters),
                "noise_rows": int((labels < 0).sum()) if labels is not None else 0,
                "top_error_clusters": [
                    {"name": c.name, "size": c.size, "error_rate": round(c.error_rate or 0.0, 4)}
                    for c in ranked[:top_clusters]
                ],
            }
        )
    return {"path": str(project.path), "schema": project.schema_revision(), "datasets": datasets}
