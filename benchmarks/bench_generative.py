"""Generative runs on AlpacaEval: import of the 12 models' answers on the 805 prompts (9,651 responses,
token counts included), the pipeline on the prompts with the tag stage embedding the newest run's
responses, and compare / leaderboard over all runs."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from common import DATA, print_table, run_case

ALPACA = DATA / "alpaca_eval"


def case() -> dict[str, Any]:
    from analysis.drift.diversity import measure_diversity
    from analysis.generative.compare import compare_runs
    from analysis.generative.leaderboard import leaderboard
    from analysis.generative.runs import generative_runs, run_outcomes
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.ingest.runs import import_run
    from analysis.pipeline.runner import run_pipeline
    from analysis.pipeline.spec import PipelineSpec
    from storage.project import Project

    roles = RoleMapping(
        id="id", text="instruction", response="output", scores=("preference",), pass_if=">= 1.5"
    )
    files = sorted(p for p in ALPACA.glob("*.jsonl") if not p.name.startswith("baseline"))
    out: dict[str, Any] = {"runs": len(files)}
    with tempfile.TemporaryDirectory() as tmp, Project.create(Path(tmp) / "p.strata") as project:
        start = time.perf_counter()
        version = import_dataset(project, files[0], roles, name="alpaca_eval").version_id
        for path in files[1:]:
            import_run(project, version, path, roles)
        out["import s"] = time.perf_counter() - start
        runs = generative_runs(project, version)
        out["responses"] = sum(int(run_outcomes(project, r, 805).answered.sum()) for r in runs)
        out["responses/s"] = out["responses"] / out["import s"]
        start = time.perf_counter()
        reports = run_pipeline(project, version)
        out["pipeline s"] = time.perf_counter() - start
        out["tag s"] = next(r.seconds for r in reports if r.stage == "tag")
        start = time.perf_counter()
        outcomes = [run_outcomes(project, r, 805) for r in runs]
        leaderboard(outcomes)
        compare_runs(outcomes[0], outcomes[1])
        out["leaderboard + compare s"] = time.perf_counter() - start
        out["tokens s"] = next(r.seconds for r in reports if r.stage == "tokens")
        start = time.perf_counter()
        run_pipeline(project, version, PipelineSpec(run=runs[-1].name, map_from="response"))
        out["response map s"] = time.perf_counter() - start
        # every run's responses and the prompts, 13 sets of up to 1,000 texts; most responses are
        # embedded here for the first time
        start = time.perf_counter()
        measure_diversity(project, [version])
        out["diversity s"] = time.perf_counter() - start
    return out


def main() -> str:
    row = run_case(case)
    columns = [
        "runs",
        "responses",
        "import s",
        "responses/s",
        "pipeline s",
        "tag s",
        "leaderboard + compare s",
        "tokens s",
        "response map s",
        "diversity s",
        "peak_mib",
    ]
    return print_table("Generative runs: AlpacaEval, 805 prompts × 12 models", [row], columns)


if __name__ == "__main__":
    main()
