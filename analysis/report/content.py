"""What the report says about a version, gathered from the project as plain values: dataset and
lineage, versions and KPIs, error modes, worst clusters and slices with intervals, drift verdicts, the
diff to the previous version, gold sets, the contract, the backlog. Everything is aggregated (counts,
rates, top lists), so the report's size does not grow with the rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from analysis.drift.columns import version_drift
from analysis.errors.report import error_report
from analysis.governance.backlog import backlog_report
from analysis.governance.contract import Contract
from analysis.governance.gate import run_gate
from analysis.governance.kpis import dataset_kpis
from analysis.labeling.gold_report import gold_report, name_of
from analysis.progress import NullProgress, Progress
from analysis.slices.filters import filter_table, list_slices
from analysis.slices.report import slice_report
from analysis.versions.diff import diff_versions
from analysis.view_frame import frame_cache
from storage.approvals import read_approvals
from storage.dataset_meta import read_meta
from storage.gold_sets import list_gold_sets
from storage.pii_scans import read_pii_scan
from storage.project import Project
from storage.versions import get_version, list_versions

TOP = 12
MIN_CLUSTER_ROWS = 10


def _slices(frame: Any, table: Any, specs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    report = slice_report(frame, table, specs, per_class=False)
    rows: list[dict[str, Any]] = [
        {
            "name": m.name,
            "rows": m.rows,
            "error_rate": m.error_rate,
            "low": 1 - m.accuracy_high,
            "high": 1 - m.accuracy_low,
            "rest_error_rate": m.rest_error_rate,
            "q_value": m.q_value,
        }
        for m in report.metrics
    ]
    return sorted(rows, key=lambda r: -r["error_rate"])[:TOP]


def build_report(
    project: Project, version_id: int, contract: Contract | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """The report's content for one version.

    Parameters
    ----------
    version_id : int
    contract : Contract, optional
        A data contract whose checks are run and shown.
    progress : Progress, optional
        Told each section's name.

    Returns
    -------
    dict
        Plain JSON values; the keys are the report's sections (see ``report.html.j2``).
    """
    progress = progress or NullProgress()
    version = get_version(project, version_id)
    siblings = [v for v in list_versions(project) if v.dataset_id == version.dataset_id]
    previous = next((v for v in reversed(siblings) if v.number < version.number), None)
    progress.message("Reading the version")
    frames = frame_cache(project)  # KPIs, drift, the gate and the backlog read the same versions
    frame = frames(version_id)
    table = filter_table(frame)
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "project": project.path.name,
        "version": name_of(version),
        "dataset": version.dataset,
        "rows": version.rows,
        "run": frame.run_name,
        "meta": read_meta(project, version.dataset_id).as_dict(),
        "approvals": [a.as_dict() for a in read_approvals(project, version_id)],
        "lineage": [
            {
                "version": name_of(v),
                "rows": v.rows,
                "source": v.source_path,
                "sha256": v.source_sha256,
                "imported_at": v.imported_at.strftime("%Y-%m-%d %H:%M") if v.imported_at else "",
                "note": v.note,
            }
            for v in siblings
        ],
        "pii": read_pii_scan(project, version_id),
    }
    progress.message("KPIs per version")
    report["kpis"] = [k.as_dict() for k in dataset_kpis(project, version.dataset_id, frames=frames)]
    progress.message("Error modes")
    errors = error_report(project, version_id, top=TOP)
    report["error_modes"] = [{"name": k} | v for k, v in errors["modes"].items()]
    report["label_issues"] = [
        {k: i[k] for k in ("key", "text", "label", "suggested", "score")} for i in errors["label_issues"]
    ]
    progress.message("Clusters and slices")
    has_metrics = frame.run_id is not None and frame.label_column is not None
    clusters = [c for c in frame.clusters if c.size >= MIN_CLUSTER_ROWS]
    report["clusters"] = (
        _slices(frame, table, {c.name: {"where": f"cluster = {c.label}"} for c in clusters})
        if has_metrics
        else []
    )
    report["slices"] = _slices(frame, table, list_slices(project)) if has_metrics else []
    report["drift"] = None
    report["diff"] = None
    if previous is not None:
        progress.message("Drift and diff against the previous version")
        drift = version_drift(filter_table(frames(previous.version_id)), table, version.roles)
        report["drift"] = {"reference": name_of(previous), "columns": [d.as_dict() for d in drift]}
        diff = diff_versions(project, previous.version_id, version_id, cell_limit=TOP)
        summary = diff.summary()
        changes = sorted(summary["label_changes"], key=lambda r: -int(r.get("rows", 0)))
        summary["label_changes"] = changes[:TOP]
        report["diff"] = {"from": name_of(previous), "schema_text": diff.schema_text()} | summary
    progress.message("Gold sets")
    report["gold"] = []
    for g in list_gold_sets(project):
        if g.dataset_id != version.dataset_id:
            continue
        ours = next((c for c in gold_report(project, g.gold_id).versions if c.version_id == version_id), None)
        report["gold"].append(
            {
                "name": g.name,
                "rows": g.rows,
                "source": g.source,
                "violations": ours.violations.height if ours else None,
                "accuracy": ours.score.accuracy if ours and ours.score else None,
                "low": ours.score.low if ours and ours.score else None,
                "high": ours.score.high if ours and ours.score else None,
            }
        )
    report["contract"] = (
        run_gate(project, version_id, contract, frames).as_dict() if contract is not None else None
    )
    report["backlog"] = [i.as_dict() for i in backlog_report(project, version.dataset_id, frames)]
    return report
