"""Generative runs imported from AlpacaEval and GSM8K: counts checked against the files themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.generative.compare import compare_runs
from analysis.generative.leaderboard import leaderboard
from analysis.generative.pass_rule import PassRule, read_passed
from analysis.generative.runs import find_run, run_outcomes
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.ingest.runs import import_run
from analysis.view_frame import load_view_frame
from storage.errors import InputError
from storage.project import Project
from tests.conftest import DATA

ALPACA = DATA / "alpaca_eval"
ROLES = RoleMapping(id="id", text="instruction", response="output", scores=("preference",), pass_if=">= 1.5")


@pytest.fixture(scope="module")
def alpaca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("alpaca") / "p.strata"
    with Project.create(path) as project:
        result = import_dataset(project, ALPACA / "vicuna-7b.jsonl", ROLES, name="alpaca_eval")
        for model in ("alpaca-7b", "gemma-2b-it", "phi-2"):
            import_run(project, result.version_id, ALPACA / f"{model}.jsonl", ROLES)
    return path


def _jsonl(model: str) -> pl.DataFrame:
    return pl.read_ndjson(ALPACA / f"{model}.jsonl")


def test_runs_hold_every_response_and_verdict_of_the_files(alpaca: Path) -> None:
    with Project.open(alpaca) as project:
        for model in ("vicuna-7b", "alpaca-7b", "gemma-2b-it", "phi-2"):
            source = _jsonl(model)
            run = find_run(project, 1, model)  # named after the file's generator column
            outcomes = run_outcomes(project, run, 805)
            assert outcomes.answered.sum() == source.height
            assert (outcomes.passed == 1.0).sum() == (source["preference"] >= 1.5).sum()
            answered = outcomes.responses.sort("_row_id")
            assert answered["response"].to_list() == source.sort("id")["output"].to_list()
        # phi-2 answers 803 of the 805 prompts: the other two rows have no verdict, not a failure
        phi = run_outcomes(project, find_run(project, 1, "phi-2"), 805)
        assert (~phi.answered).sum() == 805 - _jsonl("phi-2").height == 2
        assert np.isnan(phi.passed[~phi.answered]).all()


def test_version_keeps_the_prompts_not_the_run_columns(alpaca: Path) -> None:
    with Project.open(alpaca) as project:
        frame = load_view_frame(project, 1, run_id=find_run(project, 1, "gemma-2b-it").run_id)
    columns = set(frame.rows.columns)
    assert {"instruction", "dataset", "response", "preference", "correct", "response_tokens"} <= columns
    assert "generator" not in columns and "output" not in columns
    gemma = _jsonl("gemma-2b-it").sort("id")
    # correct is the verdict; the empty responses counted straight from the file
    assert frame.rows["correct"].sum() == (gemma["preference"] >= 1.5).sum()
    empty = frame.rows.filter(pl.col("response").str.strip_chars() == "").height
    assert empty == (gemma["output"].str.strip_chars() == "").sum() == 22


def test_win_counts_and_regressions_match_the_files(alpaca: Path) -> None:
    a, b = _jsonl("vicuna-7b"), _jsonl("alpaca-7b")
    joined = a.join(b, on="id", suffix="_b")
    wins = (joined["preference_b"] > joined["preference"]).sum()
    losses = (joined["preference_b"] < joined["preference"]).sum()
    regressed = joined.filter((pl.col("preference") >= 1.5) & (pl.col("preference_b") < 1.5))["id"]
    with Project.open(alpaca) as project:
        runs = [run_outcomes(project, find_run(project, 1, m), 805) for m in ("vicuna-7b", "alpaca-7b")]
    result = compare_runs(*runs)
    assert (result.wins, result.losses) == (wins, losses)
    assert result.wins + result.losses + result.ties == result.rows == 805
    assert sorted(result.regressions.tolist()) == sorted(regressed.to_list())  # row id == AlpacaEval id
    expected = ((joined["preference_b"] >= 1.5).mean() or 0) - ((joined["preference"] >= 1.5).mean() or 0)
    assert result.difference == pytest.approx(expected)
    assert result.difference_low < result.difference < result.difference_high


def test_leaderboard_orders_runs_by_pass_rate_with_intervals(alpaca: Path) -> None:
    with Project.open(alpaca) as project:
        from analysis.generative.runs import generative_runs

        board = leaderboard([run_outcomes(project, r, 805) for r in generative_runs(project, 1)])
    rates = {e.run: e.pass_rate for e in board}
    for model, rate in rates.items():
        source = _jsonl(model)
        assert rate == pytest.approx((source["preference"] >= 1.5).mean())
    assert [e.pass_rate for e in board] == sorted(rates.values(), reverse=True)
    assert all(e.pass_rate_low <= e.pass_rate <= e.pass_rate_high for e in board)


def test_responses_of_another_prompt_set_are_refused(tmp_path: Path, alpaca: Path) -> None:
    other = tmp_path / "other.jsonl"
    _jsonl("alpaca-7b").with_columns(id=pl.col("id") + 10_000).head(5).write_ndjson(other)
    with Project.open(alpaca) as project, pytest.raises(InputError, match="5 row\\(s\\) match no prompt"):
        import_run(project, 1, other, ROLES)


def test_matching_by_prompt_text_without_ids(tmp_path: Path) -> None:
    roles = RoleMapping(text="instruction", response="output", scores=("preference",), pass_if="> 1.5")
    with Project.create(tmp_path / "p.strata") as project:
        import_dataset(project, ALPACA / "claude-2.jsonl", roles, name="ae")
        shuffled = tmp_path / "shuffled.jsonl"
        _jsonl("falcon-7b-instruct").drop("id").sample(fraction=1.0, shuffle=True, seed=1).write_ndjson(
            shuffled
        )
        run_id = import_run(project, 1, shuffled, roles)
        frame = load_view_frame(project, 1, run_id=run_id)
    falcon = _jsonl("falcon-7b-instruct").sort("id")
    assert frame.rows["response"].to_list() == falcon["output"].to_list()


def test_pass_rules_read_as_written() -> None:
    assert PassRule.parse(">= 1.5").apply(np.array([1.5, 1.49, np.nan])) == [True, False, None]
    assert PassRule.parse("<0.2").describe("toxicity") == "toxicity < 0.2"
    with pytest.raises(InputError, match="is not a rule"):
        PassRule.parse("at least 1.5")
    assert read_passed(pl.Series("ok", ["PASS", "fail", "", "1"]), "f") == [True, False, None, True]
    with pytest.raises(InputError, match="not pass/fail"):
        read_passed(pl.Series("ok", ["pass", "maybe"]), "f")


def test_gsm8k_answers_graded_by_final_number(tmp_path: Path) -> None:
    """A synthetic "model" answers 200 GSM8K test questions with the reference worked answer, every
    fifth with its final number changed: the match rule fails exactly those."""
    gsm = pl.read_ndjson(DATA / "gsm8k" / "test.jsonl").head(200).with_row_index("id")
    finals = gsm["answer"].str.extract(r"####\s*(.+)$").str.replace_all(",", "")
    wrong = pl.int_range(pl.len()) % 5 == 0
    answered = gsm.with_columns(
        response=pl.when(wrong)
        .then(
            pl.col("answer").str.replace(r"####.*$", "")
            + "The answer is "
            + (finals.cast(pl.Int64) + 1).cast(pl.String)
        )
        .otherwise(pl.col("answer").str.replace(r"####\s*", "So the answer is $"))
    )
    path = tmp_path / "gsm.jsonl"
    answered.write_ndjson(path)
    roles = RoleMapping(id="id", text="question", reference="answer", response="response", pass_if="match")
    with Project.create(tmp_path / "p.strata") as project:
        run_id = import_dataset(project, path, roles, name="gsm8k").run_id
        assert run_id is not None
        frame = load_view_frame(project, 1, run_id=run_id)
    assert frame.rows["correct"].to_list() == (~answered.select(wrong).to_series()).to_list()
