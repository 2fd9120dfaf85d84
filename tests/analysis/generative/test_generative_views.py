"""Views of generative runs on the 150-prompt project: the map drawn from responses and back, token
counts per row, slice and export, pass rates per slice, and score drift between two subsets; every
figure is computed again here from the JSONL files or with the tokenizer itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import ks_2samp

from analysis.drift.report import compute_drift, load_side
from analysis.generative.runs import find_run
from analysis.generative.tokens import _tokenizer
from analysis.map.embed import BUNDLED_MODEL
from analysis.pipeline.runner import run_pipeline
from analysis.pipeline.spec import PipelineSpec
from analysis.slices.export import ExportOptions
from analysis.slices.filters import filter_table
from analysis.slices.report import slice_report
from analysis.slices.tokens import export_tokens
from analysis.view_frame import load_view_frame
from storage.project import Project
from storage.stage_outputs import latest_stage, read_coords
from storage.tags import read_row_tags
from tests.analysis.generative.conftest import ALPACA, PROMPTS


def _source(model: str) -> pl.DataFrame:
    return pl.read_ndjson(ALPACA / f"{model}.jsonl").filter(pl.col("id") < PROMPTS).sort("id")


@pytest.fixture
def copy(ae150: tuple[Path, dict[str, pl.DataFrame]], tmp_path: Path) -> Path:
    """A copy of the project, for the tests that run the pipeline again."""
    path = tmp_path / "p.strata"
    shutil.copy(ae150[0], path)
    return path


def test_map_from_responses_and_back_to_prompts(copy: Path) -> None:
    gemma = _source("gemma-2b-it")
    responses = gemma["output"].to_list()
    # rows whose gemma response is the same text as another row's, counted from the file
    same = gemma.with_row_index("row").filter(pl.col("output").is_duplicated())["row"].to_list()
    assert same  # the two blank answers at least
    with Project.open(copy) as project:
        prompt_map = read_coords(project, 1)
        run_pipeline(project, 1, PipelineSpec(run="gemma-2b-it", map_from="response"))
        embed = latest_stage(project, 1, "embed")
        assert embed is not None and embed.params["map_from"] == "response"
        response_map = read_coords(project, 1)
        duplicates = set(read_row_tags(project, 1).filter(pl.col("tag") == "exact_duplicate")["row_id"])
        frame = load_view_frame(project, 1, run_id=find_run(project, 1, "gemma-2b-it").run_id)
        # a stage found in the cache is the one shown again
        reports = run_pipeline(project, 1, PipelineSpec(run="vicuna-7b"))
        again = read_coords(project, 1)
    assert prompt_map is not None and response_map is not None and again is not None
    assert not np.allclose(prompt_map, response_map)
    assert duplicates == set(same)  # exact duplicates are now duplicate responses
    # the clusters are named from the responses: each name's first keyword occurs in a member's response
    members = frame.rows.filter(pl.col("cluster") >= 0)
    for cluster in frame.clusters[:3]:
        keyword = cluster.keywords[0]
        rows = members.filter(pl.col("cluster") == cluster.label)["_row_id"].to_list()
        assert any(keyword in responses[r].lower() for r in rows)
    # every stage but tag (a tag run replaces the version's automatic tags, so it runs again)
    assert all(r.cached for r in reports if r.stage != "tag")
    np.testing.assert_array_equal(again, prompt_map)


def test_tokens_per_row_slice_and_export(ae150: tuple[Path, dict[str, pl.DataFrame]]) -> None:
    vicuna = _source("vicuna-7b")
    tokenizer = _tokenizer(BUNDLED_MODEL)
    prompts = [len(tokenizer.tokenize(t)) for t in vicuna["instruction"].to_list()]
    koala = (vicuna["dataset"] == "koala").to_numpy()
    with Project.open(ae150[0]) as project:
        frame = load_view_frame(project, 1, run_id=find_run(project, 1, "vicuna-7b").run_id)
        table = filter_table(frame)
        report = slice_report(frame, table, {"koala": {"where": "dataset = 'koala'"}})
        sample = ExportOptions(sample_by="dataset", sample_size=10)
        tokens = export_tokens(project, frame, {"where": "dataset = 'koala'"}, sample)
    rows = frame.rows
    assert rows["text_tokens"].to_list() == prompts
    assert (rows["total_tokens"] == rows["text_tokens"] + rows["response_tokens"]).all()
    # the slice: its pass rate among judged rows and its tokens, from the file
    koala_slice = report.metrics[0]
    assert not report.needs_run and koala_slice.rows == koala.sum()
    assert koala_slice.accuracy == pytest.approx((vicuna.filter(koala)["preference"] >= 1.5).mean())
    assert koala_slice.tokens["text"] == sum(p for p, k in zip(prompts, koala, strict=True) if k)
    assert koala_slice.tokens["total"] == rows.filter(koala)["total_tokens"].sum()
    # the export: all rows, the filter's, then a sample of 10
    assert (tokens.version_rows, tokens.matching_rows, tokens.exported_rows) == (PROMPTS, koala.sum(), 10)
    assert tokens.version["text"] == sum(prompts)
    assert tokens.matching == koala_slice.tokens
    assert 0 < tokens.exported["total"] < tokens.matching["total"]
    assert f"Exported: 10 rows, {tokens.exported['total']:,} tokens" in tokens.describe()


def test_score_drift_of_each_run_between_subsets(ae150: tuple[Path, dict[str, pl.DataFrame]]) -> None:
    phi = _source("phi-2")
    with Project.open(ae150[0]) as project:
        reference = load_side(project, 1, "dataset = 'helpful_base'")
        current = load_side(project, 1, "dataset = 'koala'", loaded=reference.frame)
        result = compute_drift(project, reference, current)
    tested = {d.column: d for d in result.columns}
    scores = [
        phi.filter(pl.col("dataset") == d)["preference"].drop_nulls() for d in ("helpful_base", "koala")
    ]
    phi_score = tested["phi-2: preference"]
    assert phi_score.p_value == pytest.approx(ks_2samp(scores[0], scores[1]).pvalue, rel=1e-6)
    assert {"phi-2: passed", "phi-2: response tokens", "gemma-2b-it: preference"} <= set(tested)
    assert "vicuna-7b: preference" not in tested  # the shown run: its columns are tested as columns
    assert {"preference", "response_tokens", "text_tokens"} <= set(tested)
