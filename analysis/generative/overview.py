"""What the Compare runs view shows: the leaderboard of a version's generative runs, run B against
run A, its regressions by cluster, and the regressed prompts."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.generative.compare import compare_runs
from analysis.generative.leaderboard import leaderboard
from analysis.generative.runs import generative_runs, run_outcomes
from storage.project import Project

if TYPE_CHECKING:  # at run time the frame comes from the caller (view_frame imports the error modes)
    from analysis.view_frame import ViewFrame

SNIPPET = 160


def _snippet(text: object) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= SNIPPET else value[: SNIPPET - 1] + "…"


def runs_overview(
    project: Project, frame: ViewFrame, run_a: str | None = None, run_b: str | None = None
) -> dict[str, Any]:
    """The leaderboard and, for two runs (default: the two newest), their comparison.

    Returns
    -------
    dict
        ``runs`` (names, oldest first), ``leaderboard`` (list of dicts,
        :class:`~analysis.generative.leaderboard.LeaderboardEntry`), ``run_a``, ``run_b``,
        ``comparison`` (:meth:`RunComparison.as_dict` with ``by_group`` per map cluster, or None with
        fewer than two runs) and ``regressions``: per regressed row, ``row``, ``prompt`` and both
        responses shortened to 160 characters, and the cluster's name.
    """
    runs = generative_runs(project, frame.version_id)
    names = [r.name for r in runs]
    outcomes = {r.name: run_outcomes(project, r, frame.rows.height) for r in runs}
    out: dict[str, Any] = {
        "runs": names,
        "leaderboard": [asdict(e) for e in leaderboard(list(outcomes.values()))],
        "comparison": None,
        "regressions": [],
    }
    if len(names) < 2:
        return out
    a = run_a if run_a in outcomes else names[-2]
    b = run_b if run_b in outcomes and run_b != a else next(n for n in reversed(names) if n != a)
    groups = frame.rows["cluster"].to_numpy() if "cluster" in frame.rows.columns else None
    cluster_names = {c.label: c.name for c in frame.clusters} | {-1: "noise"}
    result = compare_runs(outcomes[a], outcomes[b], groups, cluster_names)
    responses = {
        n: dict(zip(o.responses["_row_id"].to_list(), o.responses["response"].to_list(), strict=True))
        for n, o in ((a, outcomes[a]), (b, outcomes[b]))
    }
    prompts = (
        frame.rows[frame.text_column].to_list() if frame.text_column else frame.rows["_row_key"].to_list()
    )
    out.update(run_a=a, run_b=b, comparison=result.as_dict())
    out["regressions"] = [
        {
            "row": int(r),
            "prompt": _snippet(prompts[r]),
            "response_a": _snippet(responses[a].get(int(r))),
            "response_b": _snippet(responses[b].get(int(r))),
            "cluster": cluster_names.get(int(groups[r]), "") if groups is not None else "",
        }
        for r in np.asarray(result.regressions)
    ]
    return out
