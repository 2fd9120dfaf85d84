"""The generative error modes and the length-bias figure through the real pipeline, on the first 150
AlpacaEval prompts (the suite's time budget); every count is checked against the JSONL files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.generative.runs import find_run
from analysis.ingest.importer import import_dataset
from analysis.pipeline.runner import run_pipeline
from analysis.pipeline.spec import PipelineSpec
from storage.project import Project
from storage.tags import read_row_tags
from tests.analysis.generative.conftest import ALPACA, PROMPTS, ROLES


@pytest.fixture(scope="module")
def tagged(ae150: tuple[Path, dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    """Row tags of the version after tagging each of three runs in turn (tests/.../conftest.py)."""
    return ae150[1]


def _rows(tags: pl.DataFrame, tag: str) -> set[int]:
    return set(tags.filter(pl.col("tag") == tag)["row_id"].to_list())


def _source(model: str) -> pl.DataFrame:
    return pl.read_ndjson(ALPACA / f"{model}.jsonl").filter(pl.col("id") < PROMPTS).sort("id")


def test_empty_responses_and_judged_failures(tagged: dict[str, pl.DataFrame]) -> None:
    gemma = _source("gemma-2b-it")
    blank = set(gemma.filter(pl.col("output").str.strip_chars() == "")["id"].to_list())
    assert blank == {62, 85}  # read in the file: the only two blank outputs among the first 150
    empty = tagged["gemma-2b-it"].filter(pl.col("tag") == "empty_response")
    kinds = {r: json.loads(d)["kind"] for r, d in empty.select("row_id", "detail").iter_rows()}
    assert {r for r, k in kinds.items() if k == "empty"} == blank
    failed = set(gemma.filter(pl.col("preference") < 1.5)["id"].to_list())
    assert _rows(tagged["gemma-2b-it"], "judged_failure") == failed


def test_refusals_and_prompt_copies(tagged: dict[str, pl.DataFrame]) -> None:
    vicuna = _source("vicuna-7b")
    sorry = set(vicuna.filter(pl.col("output").str.starts_with("I'm sorry, but"))["id"].to_list())
    assert len(sorry) == 2
    refusals = _rows(tagged["vicuna-7b"], "refusal")
    assert sorry <= refusals and len(refusals) < 0.1 * PROMPTS
    phi = _source("phi-2")
    echoed = set(
        phi.filter(pl.col("output").str.strip_chars() == pl.col("instruction").str.strip_chars())["id"]
    )
    assert len(echoed) == 7  # phi-2 often answers a question by repeating it
    assert echoed <= _rows(tagged["phi-2"], "copies_prompt")
    assert not _rows(tagged["gemma-2b-it"], "copies_prompt") & echoed


def test_low_score_is_the_bottom_decile(tagged: dict[str, pl.DataFrame]) -> None:
    vicuna = _source("vicuna-7b")
    cut = np.quantile(vicuna["preference"].to_numpy(), 0.1)
    assert _rows(tagged["vicuna-7b"], "low_score") == set(vicuna.filter(pl.col("preference") <= cut)["id"])


def test_error_report_has_the_length_bias_of_each_run(tagged: dict[str, pl.DataFrame]) -> None:
    from scipy.stats import spearmanr

    from analysis.generative.tokens import count_tokens

    report = tagged["report"]
    assert isinstance(report, dict)
    runs = {r["run"]: r for r in report["generative"]}
    assert set(runs) == {"gemma-2b-it", "phi-2", "vicuna-7b"}
    vicuna = _source("vicuna-7b")
    expected = spearmanr(count_tokens(vicuna["output"].to_list()), vicuna["preference"].to_numpy()).statistic
    bias = runs["vicuna-7b"]["length_bias"]
    assert bias["rho"] == pytest.approx(expected)
    assert bias["low"] < bias["rho"] < bias["high"] and bias["rows"] == PROMPTS
    assert "judged_failure" in report["modes"]


def test_template_answers_found_across_prompts(tmp_path: Path) -> None:
    """Copying one response of vicuna-7b onto 4 other prompts makes 5 near-identical answers."""
    rows = _source("vicuna-7b").head(60)
    template = rows["output"][0]
    copied = rows.with_columns(output=pl.when(pl.col("id") < 5).then(pl.lit(template)).otherwise("output"))
    path = tmp_path / "t.jsonl"
    copied.write_ndjson(path)
    with Project.create(tmp_path / "p.strata") as project:
        import_dataset(project, path, ROLES, name="t")
        run_pipeline(project, 1, PipelineSpec(run=find_run(project, 1, "vicuna-7b").name))
        found = _rows(read_row_tags(project, 1), "template_response")
    assert {0, 1, 2, 3, 4} <= found and len(found) < 10
