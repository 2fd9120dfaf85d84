"""The window on a 200,000-row project (the 100k emoji tweets twice, the second copy marked ``·2``, with
a map of Gaussian blobs per label and a cluster per label written as pipeline stages): the version's
frame loads in a job after its map is drawn, the table pages rows, the search waits for a pause and
runs in a job, a class picked in the legend reaches the map, the table and the counts. Behaviour
only; the timings at a million rows are in benchmarks/bench_window_1m.py."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSlider

import app.main_window as main_window
import widgets.map_view as map_view
import widgets.table_model as table_model
import widgets.table_view as table_view
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.map_paint import MapPaint
from analysis.view_frame import ViewFrame
from app.heartbeat import Heartbeat
from app.main_window import MainWindow
from storage.project import Project
from storage.stage_outputs import NewCluster, StageRecord, write_clustering, write_projection
from widgets.table_columns import cell_text
from widgets.table_model import PAGE_ROWS, PAGES_KEPT

ROWS = 200_000


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    folder = data_dir / "tweeteval" / "emoji"

    def lines(name: str) -> list[str]:
        return (folder / name).read_text(encoding="utf-8").splitlines()

    names = [line.split("\t")[2].strip("_") for line in lines("mapping.txt")]
    base = pl.concat(
        [
            pl.DataFrame({"text": lines(f"{s}_text.txt"), "code": lines(f"{s}_labels.txt")})
            for s in ("train", "val", "test")
        ]
    ).with_columns(pl.col("code").cast(pl.Int64))
    rows = pl.concat([base, base.with_columns(text=pl.col("text") + " ·2")])
    assert rows.height == ROWS
    codes = rows["code"].to_numpy()
    rng = np.random.default_rng(0)
    predicted = np.where(rng.random(ROWS) < 0.7, codes, rng.integers(0, len(names), ROWS))
    table = pl.DataFrame(
        {
            "id": [f"r{i}" for i in range(ROWS)],
            "text": rows["text"],
            "label": np.asarray(names, dtype=object)[codes].tolist(),
            "predicted": np.asarray(names, dtype=object)[predicted].tolist(),
        }
    )
    work = tmp_path_factory.mktemp("big")
    table.write_parquet(work / "emoji.parquet")
    path = work / "emoji.strata"
    with Project.create(path) as project:
        roles = RoleMapping(id="id", text="text", label="label", pred="predicted")
        version = import_dataset(project, work / "emoji.parquet", roles, name="emoji").version_id
        centres = rng.uniform(-30, 30, size=(len(names), 2))
        coords = (centres[codes] + rng.normal(size=(ROWS, 2))).astype(np.float32)
        write_projection(project, StageRecord("map", "project", version, {}, "in", 0.0), coords, "blobs")
        clusters = [
            NewCluster(c, f"blob {c}", [], np.flatnonzero(codes == c).astype(np.int64), None)
            for c in range(len(names))
        ]
        record = StageRecord("clusters", "cluster", version, {}, "map", 0.0)
        write_clustering(project, record, "blobs", None, 0, clusters)
    return path


def assert_density_on_screen(window: MainWindow) -> None:
    """The density image covers the map's extent in data coordinates and its pixels reach the
    widget (a fresh window once scaled the image by a stale size: a white map on screen)."""
    view = window.map_view
    density, extent = view.density, view.layers.paint.extent
    placed = density.mapRectToView(density.boundingRect())
    x0, y0, x1, y1 = extent
    corners = [placed.left(), placed.top(), placed.right(), placed.bottom()]
    assert np.allclose(corners, [x0, y0, x1, y1], rtol=1e-3)
    image = view.plot.grab().toImage()
    grid = [(x, y) for y in range(0, image.height(), 7) for x in range(0, image.width(), 7)]
    pixels = np.array([image.pixelColor(x, y).lightness() for x, y in grid])
    assert (pixels < 235).mean() > 0.02  # 24 blobs of colour (about 4% of the plot), not white


def test_the_map_is_drawn_first_and_the_frame_loads_in_a_job(
    live_window: MainWindow, big_project: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    window = live_window
    real = main_window.load_view_frame
    loaded_in: list[threading.Thread] = []
    map_drawn = threading.Event()

    def load_after_the_map(*args: object, **kwargs: object) -> ViewFrame:
        # the rows are read once the test has seen the map drawn: the order is not left to timing
        map_drawn.wait(60)
        loaded_in.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(main_window, "load_view_frame", load_after_the_map)
    beats_with_map, paint = 0, None
    with Heartbeat() as heart:
        window.open_project(big_project)
        qtbot.waitUntil(lambda: window.map_view.frame is not None, timeout=60_000)
        # the map shows the version (every point, by cluster) while no view has its frame yet
        assert window.frame is None and window.jobs.busy
        assert window.map_view.colour_mode() == "cluster" and len(window.map_view.coords) == ROWS
        assert window.map_view.density.image is not None  # 200k points: the density image
        assert_density_on_screen(window)
        assert window.table_view.model.rowCount() == 0
        first_beats = heart.beats
        paint = window.map_view.layers.paint
        qtbot.wait(100)
        beats_with_map = heart.beats - first_beats  # the event loop runs while the job waits
        map_drawn.set()
        qtbot.waitUntil(lambda: window.frame is not None and not window.jobs.busy, timeout=120_000)
    assert beats_with_map > 3
    assert loaded_in and loaded_in[0] is not threading.main_thread()
    assert window.frame.rows.height == ROWS and window.table_view.model.rowCount() == ROWS
    # the full frame keeps the map's paint (the preview's coordinates, same colouring)
    assert window.map_view.frame is window.frame and window.map_view.coords is window.frame.coords
    assert window.map_view.layers.paint is paint  # drawn once: the whole frame's clusters are the preview's
    assert f"{ROWS:,} rows" in window.map_view.status.text()


@pytest.fixture
def shown(window: MainWindow, big_project: Path) -> MainWindow:
    """The synchronous test window with the 200k project shown and the table's tab in front."""
    window.resize(1366, 768)
    window.open_project(big_project)
    assert window.frame is not None and window.frame.rows.height == ROWS
    window.work_tabs.setCurrentWidget(window.table_view)
    return window


def test_the_table_counts_every_row_and_materialises_only_pages_on_screen(shown: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    table = shown.table_view
    model = table.model
    qtbot.waitUntil(lambda: table.view.isVisible())
    table.view.viewport().repaint()
    assert model.rowCount() == ROWS
    assert 1 <= model.pages_held() <= 2  # the rows on screen, not 200,000
    bar = table.view.verticalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)
    table.view.viewport().repaint()
    last = model.rowCount() - 1
    assert model.data(model.index(last, model.columns.index("text"))) == cell_text(
        shown.frame.rows["text"][-1]
    )
    for _ in range(PAGES_KEPT + 20):  # page through ~100 screens
        bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)
        table.view.viewport().repaint()
    assert model.pages_held() <= PAGES_KEPT
    assert all(len(page) <= PAGE_ROWS for page in model._pages.values())


@pytest.fixture
def live_shown(live_window: MainWindow, big_project: Path, qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    """The threaded test window with the 200k project loaded and the table's tab in front."""
    live_window.open_project(big_project)
    qtbot.waitUntil(lambda: live_window.frame is not None and not live_window.jobs.busy, timeout=120_000)
    live_window.work_tabs.setCurrentWidget(live_window.table_view)
    return live_window


def test_search_waits_for_a_pause_and_runs_in_a_job(
    live_shown: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    window = live_shown
    table, model = window.table_view, window.table_view.model
    real = table_view.text_matches
    searched: list[tuple[str, threading.Thread]] = []

    def recorded(texts: pl.Series, needle: str) -> np.ndarray:
        searched.append((needle, threading.current_thread()))
        return real(texts, needle)

    monkeypatch.setattr(table_view, "text_matches", recorded)
    table.search.setFocus()
    QTest.keyClicks(table.search, "Coffee")
    # every key arrived, and no search has run: 200,000 texts are searched after a pause
    assert table.search.text() == "Coffee" and not searched
    assert model.rowCount() == ROWS and "searching" in table.count.text()
    texts = window.frame.rows["text"]
    expected = np.flatnonzero(texts.str.to_lowercase().str.contains("coffee", literal=True).to_numpy())
    qtbot.waitUntil(lambda: model.rowCount() == expected.size, timeout=30_000)
    assert [n for n, _ in searched] == ["Coffee"]  # one search, for the whole word
    assert searched[0][1] is not threading.main_thread()
    assert np.array_equal(np.sort(table.shown_row_ids()), expected)
    assert table.count.text() == f"{expected.size:,} of {ROWS:,} rows"
    shown = [model.data(model.index(r, model.columns.index("text"))) for r in range(model.rowCount())]
    assert all("coffee" in t.lower() for t in shown)
    # tagging "rows matching the search" reads the same rows; clearing the search shows all at once
    assert sorted(window.filtered_rows()) == expected.tolist()
    QTest.mouseClick(table.search, Qt.MouseButton.LeftButton)
    table.search.clear()
    assert model.rowCount() == ROWS and table.count.text() == f"{ROWS:,} of {ROWS:,} rows"


def test_a_typed_search_is_applied_when_its_rows_are_asked_for(shown: MainWindow) -> None:
    table = shown.table_view
    QTest.keyClicks(table.search, "sunday")
    assert table.searching()  # the pause has not passed
    rows = shown.filtered_rows()
    texts = shown.frame.rows["text"].str.to_lowercase()
    assert rows == np.flatnonzero(texts.str.contains("sunday", literal=True).to_numpy()).tolist()
    assert not table.searching() and table.model.rowCount() == len(rows) > 0


def test_a_class_picked_in_the_legend_reaches_the_map_the_table_and_the_counts(
    shown: MainWindow, qtbot
) -> None:  # type: ignore[no-untyped-def]
    view, table = shown.map_view, shown.table_view
    box = view.colour_box
    box.setCurrentIndex(box.findData("label"))
    legend = view.legend
    row = next(i for i, e in enumerate(legend.entries) if e.name == "smiling_face_with_hearteyes")
    entry = legend.entries[row]
    legend.list.scrollToItem(legend.list.item(row))
    where = legend.list.visualItemRect(legend.list.item(row)).center()
    QTest.mouseClick(legend.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    members = np.flatnonzero((shown.frame.rows["label"] == "smiling_face_with_hearteyes").to_numpy())
    assert entry.count == members.size > 20_000
    assert np.array_equal(shown.selection.row_ids, members)
    # the table shows the class's rows (Show selection only), each marked as selected; the counts say so
    assert table.model.rowCount() == members.size
    assert table.count.text() == f"{members.size:,} of {ROWS:,} rows"
    assert np.array_equal(np.sort(table.model.row_ids(table.selected_view_rows())), members)
    assert f"{members.size:,} selected" in view.status.text()
    # the map (a density image at 200k points) draws the selection as its own image over a faded one
    selected = view.selected_density.image
    assert selected is not None and view.density.image[..., 3].max() < 255 * 0.3
    assert selected[..., 3].astype(bool).sum() > 100
    # a click on a cluster in the list replaces the selection everywhere
    clusters = shown.clusters_view
    first = clusters.view.visualRect(clusters.view.model().index(0, 0)).center()
    QTest.mouseClick(
        clusters.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, first
    )
    label = int(clusters.view.model().index(0, 0).data(Qt.ItemDataRole.UserRole + 1))
    in_cluster = np.flatnonzero((shown.frame.rows["cluster"] == label).to_numpy())
    assert np.array_equal(shown.selection.row_ids, in_cluster)
    assert table.count.text() == f"{in_cluster.size:,} of {ROWS:,} rows"
    # clearing the selection gives the whole map its colours back
    shown.selection.clear(view)
    assert view.selected_density.image is None and view.density.image[..., 3].max() == 255
    assert table.model.rowCount() == ROWS and not table.model.marked.any()


def test_ctrl_click_in_the_table_adds_to_a_selection_made_on_the_map(shown: MainWindow) -> None:
    table = shown.table_view
    table.only_selected.setChecked(False)
    shown.selection.set(np.arange(10, 20), source=shown.map_view)
    view = table.view
    view.scrollToTop()
    cell = view.visualRect(table.model.index(3, 1)).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, cell)
    assert shown.selection.row_ids.tolist() == [3, *range(10, 20)]
    other = view.visualRect(table.model.index(5, 1)).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, other)
    assert shown.selection.row_ids.tolist() == [5]
    assert table.selected_view_rows() == [5]


def test_a_colouring_of_a_big_map_is_painted_in_a_job(
    live_window: MainWindow, big_project: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    window = live_window
    window.open_project(big_project)
    qtbot.waitUntil(lambda: window.frame is not None and not window.jobs.busy, timeout=120_000)
    view = window.map_view
    real = map_view.paint_map
    painted_in: list[threading.Thread] = []

    def recorded(*args: object, **kwargs: object) -> MapPaint:
        painted_in.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(map_view, "paint_map", recorded)
    assert view.painted_mode() == "cluster"
    view.colour_box.setCurrentIndex(view.colour_box.findData("label"))
    # the box says "label" at once; the map keeps its clusters until the job has painted the labels
    assert view.colour_mode() == "label" and view.painted_mode() == "cluster"
    qtbot.waitUntil(lambda: view.painted_mode() == "label", timeout=30_000)
    assert painted_in and painted_in[0] is not threading.main_thread()
    names = {e.name for e in view.legend.entries}
    assert "smiling_face_with_hearteyes" in names and len(names) == 20


def test_sorting_a_big_table_runs_in_a_job_and_filters_keep_the_order(
    live_shown: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    window = live_shown
    table, model = window.table_view, window.table_view.model
    real = table_model.sort_order
    sorted_in: list[threading.Thread] = []

    def recorded(values: pl.Series, descending: bool) -> np.ndarray:
        sorted_in.append(threading.current_thread())
        return real(values, descending)

    monkeypatch.setattr(table_model, "sort_order", recorded)
    header = table.view.horizontalHeader()
    column = model.columns.index("text")
    where = QPoint(
        header.sectionViewportPosition(column) + header.sectionSize(column) // 2, header.height() // 2
    )
    before = model.row_ids([0, 1, 2]).tolist()
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    assert model.sorting() and model.row_ids([0, 1, 2]).tolist() == before  # not sorted in the click
    qtbot.waitUntil(lambda: not model.sorting(), timeout=60_000)
    assert sorted_in and sorted_in[0] is not threading.main_thread()
    texts = window.frame.rows["text"]
    expected = texts.sort(nulls_last=True)
    shown = texts.gather(model.row_ids(np.arange(ROWS)))
    assert shown.equals(expected)
    # a filter keeps the sort: the selection's rows, in text order
    rows = np.flatnonzero((window.frame.rows["label"] == "fire").to_numpy())
    window.selection.set(rows, source=window.map_view)
    assert model.rowCount() == rows.size
    assert texts.gather(model.row_ids(np.arange(rows.size))).equals(texts.gather(rows).sort(nulls_last=True))
