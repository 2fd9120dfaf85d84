"""``strata gold`` and ``strata contamination`` run as a user runs them: real BANKING77 and GSM8K
rows, clear messages for every mistake (exit status 2, no traceback), exit status 1 on a finding
only when asked (CI)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.analysis.labeling.gsm8k_plants import planted_files
from tests.conftest import run_strata


def ok(*args: str, cwd: Path, code: int = 0) -> str:
    done = run_strata(*args, cwd=cwd)
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def refused(*args: str, cwd: Path) -> str:
    done = run_strata(*args, cwd=cwd)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stderr.startswith("strata: error: ")
    return done.stderr


@pytest.mark.slow  # 33 s; the gold set's logic is covered fast by tests/analysis/labeling/test_gold.py
def test_gold_set_marked_scored_violated_and_approved(tmp_path: Path, banking_small: Path) -> None:
    p = str(tmp_path / "p.strata")
    ok(
        "import",
        p,
        str(banking_small),
        "--id",
        "id",
        "--text",
        "text",
        "--label",
        "category",
        "--name",
        "bank",
        cwd=tmp_path,
    )
    out = ok(
        "gold",
        p,
        "mark",
        "cards",
        "bank",
        "--where",
        "category LIKE 'card%'",
        "--note",
        "checked twice",
        cwd=tmp_path,
    )
    rows = pl.read_csv(banking_small)
    cards = rows.filter(pl.col("category").str.starts_with("card"))
    assert out.splitlines()[0] == (
        f"Marked {cards.height} rows of bank:1 where category LIKE 'card%' as gold set 'cards' "
        "(frozen: keys, texts, labels)."
    )
    relabelled = cards["id"][:2].to_list()
    rows.with_columns(
        category=pl.when(pl.col("id").is_in(relabelled)).then(pl.lit("wrong_label")).otherwise("category")
    ).write_csv(tmp_path / "v2.csv")
    ok(
        "import",
        p,
        str(tmp_path / "v2.csv"),
        "--id",
        "id",
        "--text",
        "text",
        "--label",
        "category",
        "--version-of",
        "bank",
        cwd=tmp_path,
    )
    ok("run", p, "--dataset", "bank:2", "--stages", "probe", cwd=tmp_path)

    report = json.loads(ok("gold", p, "score", "cards", "--json", cwd=tmp_path))
    first, second = report["versions"]
    assert first["violations"] == 0 and second["violations_by_kind"] == {
        "missing": 0,
        "content": 0,
        "label": 2,
    }
    assert {r["row_key"] for r in second["violation_rows"]} == set(relabelled)
    assert second["labels"]["accuracy"] == (cards.height - 2) / cards.height
    (probe,) = report["runs"]
    assert probe["kind"] == "probe" and probe["compared"] == cards.height and 0.5 < probe["accuracy"] <= 1

    text = ok("gold", p, "score", "cards", "--fail-on-violation", cwd=tmp_path, code=1)
    assert "bank:2 run probe (probe)" in text and "violations: 2 label" in text
    assert f"{relabelled[0]}: label  label " in text or f"{relabelled[0]}: label" in text
    ok("gold", p, "show", "cards", cwd=tmp_path)  # a violation fails only when asked

    assert "--note" in refused(
        "gold", p, "approve", "cards", "--note", " ", "--remove", relabelled[0], cwd=tmp_path
    )
    assert "No gold set 'nope'; gold sets: cards" in refused("gold", p, "show", "nope", cwd=tmp_path)
    assert "No dataset 'nope'" in refused("gold", p, "mark", "x", "nope", cwd=tmp_path)
    assert "already exists" in refused("gold", p, "mark", "cards", "bank", cwd=tmp_path)
    assert "--accept" in refused(
        "gold", p, "approve", "cards", "--note", "x", "--remove", "b1", "--keys", "b1", cwd=tmp_path
    )

    out = ok(
        "gold", p, "approve", "cards", "--accept", "bank:2", "--note", "relabelled after review", cwd=tmp_path
    )
    assert out.startswith("Approved: accept of 2 rows of gold set 'cards' (revision 1,")
    shown = ok("gold", p, "show", "cards", "--fail-on-violation", cwd=tmp_path)
    assert "revision: accept of 2 rows by" in shown and "relabelled after review" in shown
    assert "bank:2: no violation" in shown
    listed = ok("gold", p, "show", cwd=tmp_path)
    assert listed.startswith(f"cards: {cards.height} rows of bank:1 where category LIKE 'card%', revision 1")


@pytest.mark.slow  # 44 s; detection is covered fast by tests/analysis/labeling/test_contamination.py
def test_contamination_found_tagged_and_failing_only_when_asked(tmp_path: Path) -> None:
    test_path, train_path, plants = planted_files(tmp_path, tests=100, clean=200, per_kind=4)
    p = str(tmp_path / "p.strata")
    for path, name in ((test_path, "gsm8k_test"), (train_path, "gsm8k_train")):
        ok("import", p, str(path), "--id", "id", "--text", "question", "--name", name, cwd=tmp_path)
    message = refused("contamination", p, "--check", "gsm8k_train", "--against", "gsm8k_test", cwd=tmp_path)
    assert (
        "gsm8k_train:1 has no embeddings yet" in message
        and f"strata run {p} --dataset gsm8k_train:1" in message
    )
    assert "No dataset 'nope'" in refused(
        "contamination", p, "--check", "nope", "--against", "gsm8k_test", cwd=tmp_path
    )
    quick = json.loads(
        ok(
            "contamination", p, "--check", "gsm8k_train", "--against", "gsm8k_test", "--kinds", "exact,ngram",
            "--no-tag", "--json", "--top", "100", cwd=tmp_path,
        )
    )  # fmt: skip
    assert quick["by_kind"]["exact"] == 8 and quick["tagged"] is None
    embedded = set(plants.filter(pl.col("plant") == "embedded")["id"])
    assert embedded <= {r["row_key"] for r in quick["pairs"] if r["kind"] == "ngram"}
    # without embeddings, a reworded problem with no 13 words left in a row goes unseen
    assert 8 + 4 <= quick["contaminated"] < 20

    for name in ("gsm8k_test", "gsm8k_train"):
        ok("run", p, "--dataset", name, "--stages", "embed", cwd=tmp_path)
    result = json.loads(
        ok(
            "contamination",
            p,
            "--check",
            "gsm8k_train",
            "--against",
            "gsm8k_test",
            "--json",
            "--top",
            "100",
            cwd=tmp_path,
        )
    )
    assert result["contaminated"] == result["tagged"] == plants.height == 20
    found = {r["row_key"]: r["match_key"] for r in result["pairs"]}
    assert found == dict(plants.select("id", "of").iter_rows())
    assert result["by_kind"]["exact"] == 8 and result["by_kind"]["near"] + result["by_kind"]["ngram"] == 12

    text = ok(
        "contamination",
        p,
        "--check",
        "gsm8k_train",
        "--against",
        "gsm8k_test",
        "--fail-on-contamination",
        cwd=tmp_path,
        code=1,
    )
    lines = text.splitlines()
    assert (
        lines[0]
        == "Contamination of gsm8k_train:1 (220 rows) against gsm8k_test:1 (100 rows): 20 rows (9.1%)"
    )
    assert lines[2] == "Tagged 20 rows 'contaminated' (a rerun of this check replaces them)."
    assert lines[4].startswith("  exact 1.000  plant-copy-0: ")

    ok("gold", p, "mark", "held_out", "gsm8k_test", cwd=tmp_path)
    synthetic = json.loads(
        ok(
            "contamination",
            p,
            "--check",
            "gsm8k_train",
            "--where",
            "source = 'synthetic'",
            "--against",
            "gold:held_out",
            "--json",
            cwd=tmp_path,
        )
    )
    assert synthetic["rows_checked"] == 20 and synthetic["contaminated"] == 20
    clean = ok(
        "contamination",
        p,
        "--check",
        "gsm8k_train",
        "--where",
        "source = 'gsm8k'",
        "--against",
        "gold:held_out",
        "--fail-on-contamination",
        cwd=tmp_path,
    )
    assert "(200 rows) against gold set 'held_out' (100 rows): 0 rows" in clean
