"""``strata check``, ``approve``, ``meta`` and ``backlog`` run as a CI job and a user run them, on the
sample project (BANKING77 test, through the whole pipeline)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest

from storage.project import Project
from tests.app.test_cli_gold import ok, refused
from tests.conftest import ROOT

SAMPLE = ROOT / "resources" / "sample"

PASSING = """name = "sample gate"
[schema]
required = { text = "string", label = "string" }
[nulls]
max_share = 0.0
[duplicates]
max_exact_share = 0.01
[label_issues]
max_share = 0.2
"""
FAILING = PASSING.replace("max_share = 0.2", "max_share = 0.001")


def test_check_exits_by_verdict_and_writes_junit(sample_project: Path, tmp_path: Path) -> None:
    p = str(sample_project)
    (tmp_path / "pass.toml").write_text(PASSING)
    (tmp_path / "fail.toml").write_text(FAILING)
    out = ok("check", p, "--contract", "pass.toml", cwd=tmp_path)
    assert "PASSED" in out and "label_issues.share" in out
    out = ok("check", p, "--contract", "fail.toml", "--junit", "gate.xml", cwd=tmp_path, code=1)
    assert "FAIL  label_issues.share" in out and "FAILED: " in out
    suite = ET.parse(tmp_path / "gate.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["label_issues.share"]
    # a report file is never replaced without --force
    assert "--force" in refused("check", p, "--contract", "fail.toml", "--junit", "gate.xml", cwd=tmp_path)
    data = json.loads(ok("check", p, "--contract", "pass.toml", "--json", cwd=tmp_path))
    assert data["exit_code"] == 0 and all(c["verdict"] == "pass" for c in data["checks"])
    assert "No contract file" in refused("check", p, "--contract", "missing.toml", cwd=tmp_path)


def test_approval_is_refused_on_a_failing_contract_unless_overridden(
    sample_project: Path, tmp_path: Path
) -> None:
    p = str(sample_project)
    (tmp_path / "fail.toml").write_text(FAILING)
    assert "--note" in refused("approve", p, "--contract", "fail.toml", cwd=tmp_path)
    out = ok("approve", p, "--note", "release 1", "--contract", "fail.toml", cwd=tmp_path, code=1)
    assert "Not approved" in out and "--override" in out
    out = ok(
        "approve",
        p,
        "--note",
        "release 1",
        "--contract",
        "fail.toml",
        "--override",
        "known noise, fixed in v2",
        cwd=tmp_path,
    )
    assert "overriding the failing contract" in out
    assert "nothing to revoke" not in ok("approve", p, "--revoke", "--note", "wrong data", cwd=tmp_path)
    assert "nothing to revoke" in refused("approve", p, "--revoke", "--note", "again", cwd=tmp_path)
    with Project.open(sample_project) as project, project.engine.connect() as conn:
        log = conn.exec_driver_sql(
            "SELECT action, detail FROM audit_log WHERE action LIKE 'version_%' ORDER BY id"
        ).all()
    assert [a for a, _ in log] == ["version_approve", "version_revoke"]
    assert json.loads(log[0][1])["override"] == "known noise, fixed in v2"


def test_a_dataset_past_its_retention_date_is_stale_and_fails_the_gate(
    sample_project: Path, tmp_path: Path
) -> None:
    p = str(sample_project)
    (tmp_path / "pass.toml").write_text(PASSING)
    out = ok(
        "meta",
        p,
        "--owner",
        "ml-data",
        "--licence",
        "CC BY 4.0",
        "--retention",
        "2020-01-31",
        "--risk",
        "high",
        cwd=tmp_path,
    )
    assert "STALE" in out and "ml-data" in out and "CC BY 4.0" in out
    out = ok("check", p, "--contract", "pass.toml", cwd=tmp_path, code=1)
    assert "FAIL  governance.retention" in out and "past its retention date" in out
    assert "YYYY-MM-DD" in refused("meta", p, "--retention", "31/01/2020", cwd=tmp_path)
    meta = json.loads(ok("meta", p, "--retention", "", "--json", cwd=tmp_path))
    assert meta["retention_until"] is None and meta["stale"] is False and meta["risk_level"] == "high"


@pytest.mark.slow  # 21 s of seven commands; the backlog's edits are tested in test_gui_governance.py
def test_backlog_counts_a_failure_mode_by_its_slice(sample_project: Path, tmp_path: Path) -> None:
    p = str(sample_project)
    ok("slices", p, "--save", "cards", "--where", "label LIKE 'card%'", cwd=tmp_path)
    ok(
        "backlog",
        p,
        "--add",
        "card confusions",
        "--link",
        "slice:cards",
        "--risk",
        "high",
        "--owner",
        "ana",
        cwd=tmp_path,
    )
    items = json.loads(ok("backlog", p, "--json", cwd=tmp_path))
    (item,) = items
    assert item["tag"] == "card confusions" and item["status"] == "open" and item["owner"] == "ana"
    (v,) = item["versions"]
    rows = pl.read_csv(SAMPLE / "banking77_test.csv").join(
        pl.read_parquet(SAMPLE / "model_outputs.parquet", columns=["id", "predicted"]), on="id"
    )
    cards = rows.filter(pl.col("label").str.starts_with("card"))
    assert v["rows"] == cards.height
    assert v["errors"] == cards.filter(pl.col("label") != pl.col("predicted")).height
    contract = tmp_path / "risk.toml"
    contract.write_text("[governance]\nmax_open_high_risk_failure_modes = 0\n")
    assert "card confusions" in ok("check", p, "--contract", str(contract), cwd=tmp_path, code=1)
    ok("backlog", p, "--set", "card confusions", "--status", "fixed", cwd=tmp_path)
    assert "PASSED" in ok("check", p, "--contract", str(contract), cwd=tmp_path)
    assert "No slice named 'card'; saved slices: card intents, cards" in refused(
        "backlog", p, "--set", "card confusions", "--link", "slice:card", cwd=tmp_path
    )
    assert "slice:<slice name>" in refused(
        "backlog", p, "--set", "card confusions", "--link", "cards", cwd=tmp_path
    )
