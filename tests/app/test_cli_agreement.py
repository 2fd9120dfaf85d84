"""``strata import`` with several annotators and ``strata agreement``, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import pytest

from tests.analysis.labeling.test_agreement import first_labels, reference_matrix
from tests.conftest import run_strata

LONG_ID = "conv_id,prev_agent,prev_user,agent,user"


def test_wide_import_then_agreement_matches_the_krippendorff_package(tmp_path: Path, data_dir: Path) -> None:
    source = data_dir / "convabuse" / "ConvAbuseEMNLPtrain.csv"
    project = str(tmp_path / "p.strata")
    done = run_strata(
        "import", project, str(source), "--id", "example_id", "--text", "user",
        "--one-hot", "is_abuse", "--annotator-cols", "Annotator?", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "Imported 2,501 rows into " + project + " as dataset 'ConvAbuseEMNLPtrain' version 1."
    assert lines[2] == "Stored 7,652 annotations; `strata agreement` measures their agreement."
    assert "scale in file order: 1 > 0 > -1 > -2 > -3" in lines[3]

    done = run_strata("agreement", project, "--json", "--top", "5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    data = reference_matrix(first_labels(source))
    for level in ("nominal", "ordinal"):
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert report["krippendorff_alpha"][level] == pytest.approx(expected, abs=1e-6)
    assert len(report["most_disagreement"]) == 5 and report["most_disagreement"][0]["text"]
    assert set(report["cohen_kappa"]["Annotator1"]) == {f"Annotator{a}" for a in range(2, 9)}

    done = run_strata("agreement", project, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    nominal, ordinal = report["krippendorff_alpha"]["nominal"], report["krippendorff_alpha"]["ordinal"]
    assert f"Krippendorff's alpha  nominal {nominal:.3f}  ordinal {ordinal:.3f}" in text
    assert f"Fleiss' kappa         {report['fleiss_kappa']:.3f}" in text
    for heading in (
        "Cohen's kappa per pair",
        "Per-label agreement",
        "Annotators (CROWDLAB",
        "Most disagreement",
    ):
        assert heading in text


def test_long_import_groups_items_and_names_the_version(tmp_path: Path, data_dir: Path) -> None:
    project = str(tmp_path / "p.strata")
    done = run_strata(
        "import", project, str(data_dir / "convabuse" / "ConvAbuseEMNLPfull.csv"), "--name", "full",
        "--id", LONG_ID, "--text", "user", "--annotator", "annotator_id", "--one-hot", "is_abuse",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Imported 4,185 rows" in done.stdout and "Stored 12,768 annotations" in done.stdout
    assert f"Note: 12,768 rows grouped into 4,185 items by {LONG_ID.replace(',', ', ')}." in done.stdout
    done = run_strata("agreement", project, "--version", "full:1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Annotator agreement on full:1 — 8 annotators, 4,185 rows")


def test_quirks_and_missing_annotations_are_messages_not_tracebacks(
    tmp_path: Path, data_dir: Path, banking_small: Path
) -> None:
    project = str(tmp_path / "p.strata")
    full = str(data_dir / "convabuse" / "ConvAbuseEMNLPfull.csv")
    done = run_strata(
        "import", project, full, "--id", "conv_id", "--text", "user", "--annotator", "annotator_id",
        "--one-hot", "is_abuse", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "the id does not identify one item" in done.stderr and "--id conv_id,user" in done.stderr
    done = run_strata("import", project, str(banking_small), "--id", "id", "--text", "text", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = run_strata("agreement", project, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("strata: error: banking_small:1 has no annotations. Import several")
