"""Version diff and drift views in the window."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.versions.relabel import create_corrected_version
from app.main_window import MainWindow
from storage.project import Project
from storage.runs import read_predictions
from storage.versions import read_rows


def test_diff_view_shows_a_review_and_selects_rows(window: MainWindow, sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        predicted = read_predictions(project, 1)["predicted"].to_list()
        labels = read_rows(project, 1, ["label"])["label"].to_list()
        wrong = [i for i, (g, p) in enumerate(zip(labels, predicted, strict=True)) if g != p][:12]
        create_corrected_version(project, 1, {i: predicted[i] for i in wrong})
    window.open_project(sample_project)
    view = window.versions.diff_view
    assert (
        view.from_box.currentText() == "banking77-test:1" and view.to_box.currentText() == "banking77-test:2"
    )
    view.compareRequested.emit(view.from_box.currentData(), view.to_box.currentData())
    assert "12 wrong→right" in view.summary.text() and "label_corrected" in view.summary.text()
    assert sum(int(view.labels.item(r, 2).text()) for r in range(view.labels.rowCount())) == 12
    view.as_matrix.setChecked(True)
    cells = [
        (r, c)
        for r in range(view.matrix.rowCount())
        for c in range(view.matrix.columnCount())
        if view.matrix.item(r, c) is not None
    ]
    assert sum(int(view.matrix.item(r, c).text()) for r, c in cells) == 12
    r, c = cells[0]
    old, new = view.matrix.verticalHeaderItem(r).text(), view.matrix.horizontalHeaderItem(c).text()
    view.matrix.cellClicked.emit(r, c)
    chosen = window.selection.row_ids.tolist()
    assert chosen and all(labels[i] == old and predicted[i] == new for i in chosen)
    view.kind.setCurrentText("added rows")
    assert view.rows.rowCount() == 0 and view.keys() == []
    window.versions.select_keys([window.frame.rows["_row_key"][i] for i in wrong])
    assert window.selection.row_ids.tolist() == wrong


def test_drift_view_on_airline_time_windows(window: MainWindow, tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "air.strata"
    with Project.create(path) as project:
        roles = RoleMapping(
            label="airline_sentiment", time="tweet_created", group="airline", time_format="%d-%m-%Y %H.%M"
        )
        import_dataset(project, data_dir / "airline_tweets" / "Tweets.csv", roles)
    window.open_project(path)
    view = window.versions.drift_view
    view.ref_where.setText("EXTRACT(day FROM tweet_created) BETWEEN 17 AND 19")
    view.cur_where.setText("EXTRACT(day FROM tweet_created) BETWEEN 22 AND 24")
    view._run()
    verdicts = {
        view.table.item(r, 0).text(): view.table.item(r, 1).text() for r in range(view.table.rowCount())
    }
    assert verdicts["airline_sentiment"] == "significant shift" and verdicts["airline"] == "drift"
    assert view.sides is not None and view.result is not None
    assert view.sides[0].table.height == 4128 and view.sides[1].table.height == 7451
    assert len(view.timeline.getPlotItem().items) == 1 and len(view.chart.getPlotItem().items) == 2
    assert np.isfinite([d.psi for d in view.result.columns]).all()
    # no model run: no per-class lines; no map: no clusters, no map button
    assert view.class_box.count() == 0 and view.class_panel.isHidden() and not view.timeline.isHidden()
    assert not view.map_button.isEnabled()
    assert view.result.timeline is not None and view.result.timeline.height == 6  # automatic: a day each
    view.bucket.setCurrentText("6 hours")
    view._run()
    assert view.result.timeline is not None and view.result.timeline.height > 12


def test_drift_between_slices_drawn_on_the_map(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    view = window.versions.drift_view
    view.ref_where.setText("confidence >= 0.5")
    view.cur_where.setText("confidence < 0.5")
    view._run()
    result = view.result
    assert result is not None and result.clusters and view.map_button.isEnabled()
    unsure = int((window.frame.rows["confidence"] < 0.5).sum())
    assert (result.reference_rows, result.current_rows) == (3080 - unsure, unsure)
    # cluster shares: ten clusters drawn, each with reference and current bars and intervals
    assert len(view.clusters.getPlotItem().items) == 4
    view.map_button.click()
    map_view = window.map_view
    assert map_view.colour_mode() == "drift"
    counts = {e.name: e.count for e in map_view._legend}
    assert counts == {"reference only": 3080 - unsure, "current only": unsure, "both": 0, "neither": 0}
    assert map_view.overlay.image is not None and map_view.overlay.image.shape == (96, 96, 4)
    # a legend click selects that side's rows
    map_view._on_legend_click(map_view.legend.item(1))
    assert len(window.selection) == unsure
    map_view.set_colour_mode("cluster")
    assert map_view.overlay.image is None
    # a bad filter says what is wrong and keeps the last report
    view.cur_where.setText("confidence <")
    view._run()
    assert "cannot be used" in window.last_error and "Columns:" in window.last_error
    assert view.result is result
    view.cur_where.setText("confidence > 2")
    view._run()
    assert "0 rows in the current side where confidence > 2" in window.last_error
