"""Per generative run of a version: pass rate and the length-bias check, overall and per cluster."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from analysis.generative.length_bias import length_bias, length_bias_by_group
from analysis.generative.runs import generative_runs, run_outcomes
from storage.project import Project
from storage.stage_outputs import read_clusters
from storage.versions import get_version


def generative_summary(project: Project, version_id: int, top: int = 5) -> list[dict[str, Any]]:
    """One entry per generative run (oldest first).

    Returns
    -------
    list of dict
        ``run``, ``answered``, ``judged``, ``pass_rate``, ``score`` (the first score's name or None),
        ``length_bias`` (:class:`~analysis.generative.length_bias.LengthBias` as a dict: Spearman's rho
        of response tokens against the score, its 95% interval and p-value; None without a score) and
        ``cluster_length_bias``: the ``top`` clusters with the strongest rho.
    """
    n = get_version(project, version_id).rows
    clusters, labels = read_clusters(project, version_id)
    names = {c.label: c.name for c in clusters}
    out = []
    for run in generative_runs(project, version_id):
        o = run_outcomes(project, run, n)
        judged = o.passed[o.judged]
        bias = by_cluster = None
        if o.score is not None:
            bias = asdict(length_bias(o.response_tokens, o.score, run.name))
            if labels is not None:
                by_cluster = [
                    asdict(b) for b in length_bias_by_group(o.response_tokens, o.score, labels, names)
                ]
        out.append(
            {
                "run": run.name,
                "answered": int(o.answered.sum()),
                "judged": int(judged.size),
                "pass_rate": float(judged.mean()) if judged.size else None,
                "pass_rule": (run.details or {}).get("pass_rule"),
                "score": o.score_name,
                "length_bias": bias,
                "cluster_length_bias": (by_cluster or [])[:top],
            }
        )
    return out
