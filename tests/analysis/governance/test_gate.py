"""The quality gate on real BANKING77 rows: a contract that passes, one that fails with exactly the
checks expected (figures computed here from the CSV, independently), drift and gold checks against an
approved earlier version, and checks that cannot run saying why."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from analysis.governance.contract import parse_contract, read_contract
from analysis.governance.gate import run_gate
from storage.errors import InputError
from storage.project import Project
from tests.conftest import DATA, ROOT

SAMPLE = ROOT / "resources" / "sample" / "banking77_test.csv"
CLASSES = json.loads((DATA / "banking77" / "categories.json").read_text())


def _checks(result):  # type: ignore[no-untyped-def]
    return {c.check: c for c in result.checks}


def test_a_contract_the_sample_meets_passes_every_check(sample_project: Path) -> None:
    csv = pl.read_csv(SAMPLE)
    smallest = int(csv["label"].value_counts()["count"].min())
    contract = parse_contract(
        {
            "schema": {"required": {"id": "string", "text": "string", "label": "string"}},
            "labels": {"allowed": CLASSES, "min_rows_per_class": smallest},
            "nulls": {"max_share": 0.0},
            "duplicates": {"max_exact_share": 0.01, "max_near_share": 0.5},
            "label_issues": {"max_share": 0.2},
            "contamination": {"max_rows": 0},
        }
    )
    with Project.open(sample_project) as project:
        result = run_gate(project, 1, contract)
    assert result.exit_code == 0, [c.as_dict() for c in result.failed + result.errors]
    checks = _checks(result)
    assert checks["labels.min_rows_per_class"].figure == smallest
    copies = csv.height - csv["text"].n_unique()
    assert checks["duplicates.exact"].figure == pytest.approx(copies / csv.height)
    assert {f"nulls.{c}" for c in csv.columns} <= set(checks)


def test_a_contract_it_breaks_fails_with_the_expected_checks(sample_project: Path) -> None:
    csv = pl.read_csv(SAMPLE)
    dropped = CLASSES[:2]
    counts = csv["label"].value_counts()
    contract = parse_contract(
        {
            "name": "strict",
            "schema": {"required": {"id": "integer", "text": "string"}},
            "labels": {"allowed": CLASSES[2:], "min_rows_per_class": int(counts["count"].max()) + 1},
            "nulls": {"max_share": 0.0},
            "duplicates": {"max_near_share": 0.01},
        }
    )
    with Project.open(sample_project) as project:
        result = run_gate(project, 1, contract)
    assert result.exit_code == 1
    assert {c.check for c in result.failed} == {
        "schema.id",
        "labels.allowed",
        "labels.min_rows_per_class",
        "duplicates.near",
    }
    checks = _checks(result)
    assert checks["labels.allowed"].figure == csv.filter(pl.col("label").is_in(dropped)).height
    assert all(name in checks["labels.allowed"].detail for name in dropped)
    assert checks["schema.id"].figure == "string"
    assert checks["nulls.text"].passed


def test_gold_accuracy_drop_and_drift_against_the_approved_version_fail(
    two_versions: tuple[Path, pl.DataFrame], banking_small: Path
) -> None:
    path, edited = two_versions
    contract = parse_contract(
        {"gold": {"set": "gold", "max_drop": 0.02, "min_accuracy": 0.5}, "drift": {"reference": "bank:1"}}
    )
    with Project.open(path) as project:
        result = run_gate(project, 2, contract)
    checks = _checks(result)
    # the gold rows still in bank:2 (same id and text), and how many kept their label
    joined = pl.read_csv(banking_small).join(edited, on=["id", "text"], suffix="_v2")
    expected = (joined["category"] == joined["category_v2"]).mean()
    assert checks["gold.drop"].figure == pytest.approx(expected)
    assert checks["gold.drop"].passed is False and "bank:1 100.00%" in checks["gold.drop"].threshold
    assert checks["gold.min_accuracy"].passed is True
    assert checks["drift.columns"].passed is False and "category" in checks["drift.columns"].detail
    assert result.exit_code == 1


def test_checks_that_cannot_run_say_why_and_exit_2(two_versions) -> None:  # type: ignore[no-untyped-def]
    path, _ = two_versions
    contract = parse_contract(
        {
            "leakage": {"max_rows": 0},
            "label_issues": {"max_share": 0.1},
            "gold": {"set": "nope", "max_drop": 0.0},
        }
    )
    with Project.open(path) as project:
        result = run_gate(project, 2, contract)
    assert result.exit_code == 2 and not result.failed
    why = {c.check: c.detail for c in result.errors}
    assert "--split" in why["leakage.splits"]
    assert "strata run" in why["label_issues.share"]
    assert "gold" in why["gold.accuracy"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[nulls]\nmax_share = 2\n", "not a share"),
        ("[nul]\nmax_share = 0.1\n", "Unknown contract section [nul]"),
        ("[labels]\nmin_rows_per_class = 'ten'\n", "should be int"),
        ("[schema]\nrequired = { text = 'text' }\n", "is not a type"),
        ("name = 'empty'\n", "declares no checks"),
        ("[nulls\n", "not valid TOML"),
    ],
)
def test_a_broken_contract_is_refused_with_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "c.toml"
    file.write_text(text)
    with pytest.raises(InputError, match=message.replace("[", r"\[")):
        read_contract(file)


def test_the_documented_example_contract_passes_on_the_sample(sample_project: Path) -> None:
    contract = read_contract(ROOT / "docs" / "examples" / "sample.contract.toml")
    assert len(contract.get("labels", "allowed")) == 77
    with Project.open(sample_project) as project:
        result = run_gate(project, 1, contract)
    assert result.exit_code == 0, [c.as_dict() for c in result.failed + result.errors]
