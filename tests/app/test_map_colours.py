"""Colours are the project's: a class has one colour in every colouring, grey only means noise or
"other", and a legend with more classes than can be told apart says so and lets the user choose."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from analysis.palette import GREY, NOISE, PALETTE, class_order
from app.main_window import MainWindow


def legend_colours(window: MainWindow) -> dict[object, tuple[int, int, int, int]]:
    return {e.value: e.rgba for e in window.map_view.legend.entries}


def test_a_class_has_the_same_colour_as_label_and_as_prediction(
    window: MainWindow, sample_project: Path
) -> None:
    window.open_project(sample_project)
    window.map_view.set_colour_mode("label")
    given = legend_colours(window)
    window.map_view.set_colour_mode("predicted")
    predicted = legend_colours(window)
    shared = set(given) & set(predicted)
    assert len(shared) >= 70
    assert all(given[c] == predicted[c] for c in shared)
    assert len(set(given.values())) == len(given)  # 77 classes, 77 colours
    assert GREY not in given.values()


def test_palette_has_no_grey_and_class_order_is_first_seen() -> None:
    rgb = PALETTE[:, :3].astype(int)
    chroma = rgb.max(axis=1) - rgb.min(axis=1)
    assert chroma.min() >= 20  # no greys: grey means noise / other only
    assert class_order([["b", "a"], ["a", "c"], ["d"]]) == ["b", "a", "c", "d"]


def test_clusters_get_colours_and_noise_is_faint(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    window.map_view.set_colour_mode("cluster")
    legend = window.map_view.legend.entries
    noise = [e for e in legend if e.value == -1]
    assert noise and noise[0].rgba == NOISE and noise[0].rgba[3] < 255
    colours = [e.rgba for e in legend if e.value != -1]
    assert GREY not in colours and len(colours) == len(window.frame.clusters)


def test_unticking_a_class_draws_it_grey_and_top_shows_the_largest(
    window: MainWindow, sample_project: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window.open_project(sample_project)
    window.show()
    view = window.map_view
    view.set_colour_mode("label")
    assert view.legend.note.isVisible() and "77 categories" in view.legend.note.text()
    first = view.legend.entries[0]
    item = view.legend.list.item(0)
    rect = view.legend.list.visualItemRect(item)
    # the tick box sits at the item's left edge
    QTest.mouseClick(
        view.legend.list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(rect.left() + 10, rect.center().y()),
    )
    assert item is not None
    hidden = next(e for e in view.legend.entries if e.value == first.value)
    assert hidden.rgba == GREY
    rows = np.flatnonzero((window.frame.rows[window.frame.label_column] == first.value).to_numpy())
    assert (view._colours[rows] == np.array(GREY, np.uint8)).all()
    QTest.mouseClick(view.legend.show_top, Qt.MouseButton.LeftButton)
    shown = [e for e in view.legend.entries if e.rgba != GREY]
    assert len(shown) == 12
    QTest.mouseClick(view.legend.show_all, Qt.MouseButton.LeftButton)
    assert all(e.rgba != GREY for e in view.legend.entries)
