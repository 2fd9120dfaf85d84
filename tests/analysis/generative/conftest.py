"""The first 150 AlpacaEval prompts with three runs (gemma-2b-it, phi-2, vicuna-7b), each tagged in
turn through the real pipeline: built once for the generative tests (the suite's time budget)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.errors.report import error_report
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.ingest.runs import import_run
from analysis.pipeline.runner import run_pipeline
from analysis.pipeline.spec import PipelineSpec
from storage.project import Project
from storage.tags import read_row_tags
from tests.conftest import DATA

ALPACA = DATA / "alpaca_eval"
PROMPTS = 150
ROLES = RoleMapping(id="id", text="instruction", response="output", scores=("preference",), pass_if=">= 1.5")


def head(model: str, folder: Path) -> Path:
    """The first :data:`PROMPTS` answers of ``model`` as a JSONL file in ``folder``."""
    path = folder / f"{model}.jsonl"
    pl.read_ndjson(ALPACA / f"{model}.jsonl").filter(pl.col("id") < PROMPTS).write_ndjson(path)
    return path


@pytest.fixture(scope="session")
def ae150(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pl.DataFrame]]:
    """The project (last tagged with vicuna-7b, map from the prompts) and the row tags after each run
    was tagged, with the error report under ``report``."""
    folder = tmp_path_factory.mktemp("ae150")
    tags = {}
    with Project.create(folder / "p.strata") as project:
        import_dataset(project, head("gemma-2b-it", folder), ROLES, name="ae")
        for model in ("phi-2", "vicuna-7b"):
            import_run(project, 1, head(model, folder), ROLES)
        for model in ("gemma-2b-it", "phi-2", "vicuna-7b"):
            run_pipeline(project, 1, PipelineSpec(run=model))
            tags[model] = read_row_tags(project, 1)
        tags["report"] = error_report(project, 1)  # type: ignore[assignment]
    return folder / "p.strata", tags
