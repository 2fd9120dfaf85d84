"""The ``strata`` command: new, import, run, info, errors as one line, and no Qt at import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from resources import SAMPLE_DATA


def test_import_and_info(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p.strata"
    assert main(["new", str(project)]) == 0
    folder = data_dir / "tweeteval" / "emotion"
    texts = folder / "test_text.txt"
    # TweetEval as a TSV built in the test: text, label id and the paper's RoBERTa prediction.
    rows = zip(
        texts.read_text(encoding="utf-8").split("\n")[:-1],
        (folder / "test_labels.txt").read_text().split("\n"),
        (folder / "predictions_test_RoB-RT.txt").read_text().split("\n"),
        strict=False,
    )
    tsv = tmp_path / "emotion.tsv"
    import polars as pl

    pl.DataFrame(list(rows), schema=["text", "label", "pred"], orient="row").write_csv(tsv, separator="\t")
    code = main(
        [
            "import",
            str(project),
            str(tsv),
            "--text",
            "text",
            "--label",
            "label",
            "--pred",
            "pred",
            "--label-map",
            str(folder / "mapping.txt"),
            "--run-name",
            "RoB-RT",
        ]
    )
    assert code == 0
    assert "Imported 1,421 rows" in capsys.readouterr().out
    assert main(["info", str(project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    dataset = info["datasets"][0]
    assert dataset["rows"] == 1421 and dataset["classes"] == 4
    assert dataset["runs"][0]["name"] == "RoB-RT"
    assert dataset["runs"][0]["accuracy"] == pytest.approx(0.834, abs=0.03)
    assert main(["info", str(project)]) == 0
    assert "labels only" in capsys.readouterr().out


def test_errors_are_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p.strata"
    assert main(["import", str(project), str(SAMPLE_DATA), "--text", "missing_column"]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("strata: error:") and "['missing_column'] not found" in err and "Traceback" not in err
    )
    assert main(["run", str(tmp_path / "none.strata")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["run", str(project)]) == 2
    assert "has no dataset yet; import one with `strata import`" in capsys.readouterr().err


def test_run_and_info_on_the_sample(sample_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(sample_project)]) == 0
    out = capsys.readouterr().out
    assert out.count("cached") == 8
    # one column of stage names, as wide as the longest (cluster_sphere)
    assert len({line.index("cached") for line in out.splitlines() if line.endswith("cached")}) == 1
    assert main(["info", str(sample_project)]) == 0
    out = capsys.readouterr().out
    assert "3,080 rows, 77 classes" in out and "accuracy 0.894" in out and "highest error rate" in out
    assert main(["run", str(sample_project), "--stages", "embed,paint"]) == 2
    assert "Unknown stage(s) ['paint']" in capsys.readouterr().err


def test_command_line_imports_no_qt() -> None:
    code = (
        "import sys, app.cli, app.demo; "
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
