"""Labeling latency on ConvAbuse's real annotators and items. The corpus has no label times, so each
test gives every annotator a known pace (documented below) and checks that the figures recover it,
breaks left out; the CLI prints them per annotator and over time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from analysis.labeling.latency import labeling_latency
from storage.errors import InputError
from tests.conftest import run_strata

START = datetime(2026, 3, 2, 9, 0)
BREAK_AFTER = 40  # each annotator stops for two hours after this many labels


def paced(data_dir: Path, every: int = 8) -> pl.DataFrame:
    """Every ``every``-th row of ConvAbuse's long file (one row per item × annotator; sorted by
    annotator, so each annotator keeps a share of rows), each annotator labelling its rows in file
    order every 20 + 5·k seconds (k: the annotator's number), with a two-hour break after
    :data:`BREAK_AFTER` labels."""
    frame = pl.read_csv(data_dir / "convabuse" / "ConvAbuseEMNLPfull.csv").gather_every(every)
    frame = frame.with_columns(
        pace=20 + 5 * pl.col("annotator_id").str.extract(r"(\d+)").cast(pl.Int64),
        n=pl.int_range(pl.len()).over("annotator_id"),
    )
    offset = pl.col("n") * pl.col("pace") + pl.when(pl.col("n") >= BREAK_AFTER).then(7_200).otherwise(0)
    return frame.with_columns(
        labelled_at=pl.lit(START) + pl.duration(seconds=offset),
        created_at=pl.lit(START - timedelta(days=10)) + pl.duration(minutes=pl.col("example_no")),
    )


def test_the_pace_of_every_annotator_is_recovered_and_breaks_left_out(data_dir: Path) -> None:
    frame = paced(data_dir)
    annotations = frame.select(row_id="example_no", annotator="annotator_id", labelled_at="labelled_at")
    created = frame.select(row_id="example_no", created_at="created_at").unique("row_id")
    report = labeling_latency(annotations, created)
    table = report.per_annotator
    assert table["labels"].to_list() == sorted(table["labels"].to_list(), reverse=True)
    for row in table.iter_rows(named=True):
        pace = 20 + 5 * int(row["annotator"].removeprefix("Annotator"))
        assert row["median_s"] == pace and row["p90_s"] == pace  # the 2-hour break is not a gap
        assert row["median_wait_s"] > 0
    assert table.height == 8 and report.has_wait and report.period in ("1h", "6h")
    assert report.over_time["labels"].sum() == frame.height
    without = labeling_latency(annotations)
    assert not without.has_wait and without.per_annotator["median_s"].equals(table["median_s"])


def test_no_label_times_is_a_message(data_dir: Path) -> None:
    frame = paced(data_dir, 100).select(row_id="example_no", annotator="annotator_id")
    with pytest.raises(InputError, match="--labelled-at"):
        labeling_latency(frame.with_columns(labelled_at=pl.lit(None, dtype=pl.Datetime("us"))))


def test_strata_latency_prints_each_annotators_pace(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "convabuse_timed.csv"
    paced(data_dir, 14).drop("pace", "n").write_csv(source)
    project = str(tmp_path / "p.strata")
    done = run_strata(
        "import", project, str(source), "--id", "example_no", "--text", "user", "--time", "created_at",
        "--annotator", "annotator_id", "--one-hot", "is_abuse", "--labelled-at", "labelled_at",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = run_strata("latency", project, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Labeling latency of convabuse_timed:1")
    assert "Annotator1" in done.stdout and "Over time (per" in done.stdout
    report = json.loads(run_strata("latency", project, "--json", cwd=tmp_path).stdout)
    paces = {r["annotator"]: r["median_s"] for r in report["per_annotator"]}
    assert paces and all(s == 20 + 5 * int(a.removeprefix("Annotator")) for a, s in paces.items())
    assert all(r["median_wait_s"] > 0 for r in report["per_annotator"])  # the time column is created-at
    # one annotation per item (the id does not group an item's annotators): agreement says so
    done = run_strata("agreement", project, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "labelled by one annotator" in done.stderr


def test_the_agreement_tab_charts_each_annotators_pace(window, data_dir: Path, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    source = tmp_path / "convabuse_timed.csv"
    paced(data_dir, 14).drop("pace", "n").write_csv(source)
    project = tmp_path / "p.strata"
    done = run_strata(
        "import", str(project), str(source), "--id", "example_no", "--text", "user", "--time",
        "created_at", "--annotator", "annotator_id", "--one-hot", "is_abuse", "--labelled-at",
        "labelled_at", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    window.open_project(project)
    view = window.agreement.view
    tabs = view.pages.tabBar()
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Labeling time")
    QTest.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(index).center())
    chart = view.latency
    assert window.last_error == "", window.last_error
    assert view.pages.currentWidget() is chart and chart.report is not None, chart.note.text()
    heights = chart.bars.opts["height"]
    names = chart.report.per_annotator["annotator"].to_list()
    assert [round(h) for h in heights] == [20 + 5 * int(n.removeprefix("Annotator")) for n in names]
    assert "timed labels" in chart.note.text() and "median wait" in chart.note.text()
    # Annotator1…8 under the bars as 1…8, the shared prefix as the axis title (they overlapped).
    axis = chart.per_annotator.getPlotItem().getAxis("bottom")
    assert [t for _, t in axis._tickLevels[0]] == [n.removeprefix("Annotator") for n in names]
    assert axis.labelText == "Annotator" and "Annotator1:" in chart.per_annotator.toolTip()
