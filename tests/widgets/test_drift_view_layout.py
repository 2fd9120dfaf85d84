"""The drift view in the wide, low tab it gets at 1366 × 768 (about 1000 × 320 at its smallest): every
control and chart keeps at least its minimum size, and each chart's title fits its chart."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from analysis.drift.charts import drift_charts
from analysis.drift.report import compute_drift, load_side
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from storage.project import Project
from tests.widget_sizes import squeezed
from widgets.drift_view import DriftView

WINDOW = "EXTRACT(day FROM tweet_created) BETWEEN {} AND {}"


@pytest.fixture(scope="module")
def airline_with_model(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """The airline tweets with a real if weak model's predictions (each airline's most common
    sentiment): a time column and a model run, so every chart of the view has something to draw."""
    folder = tmp_path_factory.mktemp("airline")
    tweets = pl.read_csv(data_dir / "airline_tweets" / "Tweets.csv", infer_schema_length=0)
    mode = tweets.group_by("airline").agg(pl.col("airline_sentiment").mode().first().alias("predicted"))
    csv = folder / "tweets-with-predictions.csv"
    tweets.join(mode, on="airline", maintain_order="left").write_csv(csv)
    path = folder / "air.strata"
    roles = RoleMapping(
        text="text",
        label="airline_sentiment",
        pred="predicted",
        time="tweet_created",
        group="airline",
        time_format="%d-%m-%Y %H.%M",
    )
    with Project.create(path) as project:
        import_dataset(project, csv, roles, name="airline-tweets-with-a-long-name")
    return path


def _too_small(view: QWidget) -> list[str]:
    """Every visible widget smaller than it needs (:func:`tests.widget_sizes.squeezed`), and every
    chart whose title is wider than the chart."""
    problems = squeezed(view)
    for widget in view.findChildren(pg.PlotWidget):
        if widget.isVisible():
            item = widget.getPlotItem()
            title = item.titleLabel.item.boundingRect().width()
            if title > item.width():
                problems.append(f"title {item.titleLabel.text!r}: {title:.0f} px in {item.width():.0f}")
    return problems


def test_the_drift_view_fits_a_wide_low_tab(qtbot: QtBot, airline_with_model: Path) -> None:
    with Project.open(airline_with_model) as project:
        reference = load_side(project, 1, WINDOW.format(17, 19))
        current = load_side(project, 1, WINDOW.format(22, 24), loaded=reference.frame)
        result = compute_drift(project, reference, current)
    charts = drift_charts(result, reference, current)
    assert result.timeline is not None and [s.name for s in charts.classes] != []
    view = DriftView()
    qtbot.addWidget(view)
    view.set_versions([(1, "airline-tweets-with-a-long-name:1")], 1)
    view.show_results(result, charts)
    view.resize(1000, 320)
    view.show()
    qtbot.waitExposed(view)
    assert (view.width(), view.height()) == (1000, 320)  # its layout's minimum is not larger
    assert _too_small(view) == []
    assert view.chart.isVisible() and view.clusters.isVisible()  # no clusters: says so
    # the charts over time, a tab away
    bar = view.pages.tabBar()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert view.pages.currentIndex() == 1 and view.timeline.isVisible() and view.per_class.isVisible()
    assert view.class_box.count() == 3
    assert _too_small(view) == []
    # another class, chosen with the keyboard, is drawn
    first = view.class_box.currentText()
    view.class_box.setFocus()
    QTest.keyClick(view.class_box, Qt.Key.Key_Down)
    chosen = view.class_box.currentText()
    assert chosen != first and chosen in view.per_class.getPlotItem().titleLabel.text
    assert len([i for i in view.per_class.getPlotItem().items if isinstance(i, pg.FillBetweenItem)]) == 2
    assert _too_small(view) == []
    # emptied, it still fits
    view.clear()
    assert _too_small(view) == []
