"""The confusion matrix of the sample (BANKING77 test, 77 classes) as a person reads it: the largest
confusion first in the list, a click on it selects its rows, the heatmap names a cell's classes on
hover and selects its rows on click, and the whole fits a 1000 × 320 area."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame, load_view_frame
from storage.project import Project
from tests.widget_sizes import squeezed
from widgets.confusion_view import ConfusionView


@pytest.fixture(scope="module")
def frame(sample_project_master: Path) -> ViewFrame:
    with Project.open(sample_project_master) as project:
        return load_view_frame(project, 1)


@pytest.fixture
def view(qtbot, frame: ViewFrame) -> ConfusionView:  # type: ignore[no-untyped-def]
    confusion = ConfusionView(SelectionModel())
    qtbot.addWidget(confusion)
    confusion.set_frame(frame)
    confusion.resize(1000, 320)
    confusion.show()
    qtbot.waitExposed(confusion)
    qtbot.wait(50)  # the layout settles: the list's rows and the heatmap's cells have their places
    return confusion


def rows_of(frame: ViewFrame, given: str, predicted: str) -> list[int]:
    rows = frame.rows.filter((pl.col("label") == given) & (pl.col("predicted") == predicted))
    return sorted(rows["_row_id"].to_list())


def test_the_largest_confusion_is_listed_first_and_a_click_selects_it(
    view: ConfusionView, frame: ViewFrame, qtbot
) -> None:  # type: ignore[no-untyped-def]
    wrong = (
        frame.rows.filter(pl.col("label") != pl.col("predicted"))
        .group_by("label", "predicted")
        .len()
        .sort("len", descending=True)
    )
    listed = view.matrix.list
    model = listed.model()
    first = (model.index(0, 0).data(), model.index(0, 1).data(), int(model.index(0, 2).data()))
    assert first[2] == wrong["len"][0]  # no pair is larger than the first one listed
    assert model.rowCount() == wrong.height  # every confused pair, none of the diagonal
    counts = [int(model.index(r, 2).data()) for r in range(model.rowCount())]
    assert counts == sorted(counts, reverse=True) and sum(counts) == 327  # the sample's misclassified
    assert model.headerData(3, Qt.Orientation.Horizontal) == "% of given" and not listed.isColumnHidden(3)

    QTest.mouseClick(
        listed.viewport(), Qt.MouseButton.LeftButton, pos=listed.visualRect(model.index(0, 0)).center()
    )
    qtbot.waitUntil(lambda: len(view.selection) > 0, timeout=3000)
    assert view.selection.row_ids.tolist() == rows_of(frame, first[0], first[1])
    assert len(view.selection) == first[2]


def test_hover_names_both_classes_and_a_click_selects_the_cell(
    view: ConfusionView, frame: ViewFrame, qtbot
) -> None:  # type: ignore[no-untyped-def]
    heatmap = view.matrix.heatmap
    classes = view.pairs.classes
    assert len(classes) == 77 and list(classes) == [c for c in frame.class_order if c in classes]
    given, predicted = classes.index("card_acceptance"), classes.index("card_not_working")
    n = len(rows_of(frame, "card_acceptance", "card_not_working"))
    pos = heatmap.cell_centre(given, predicted).toPoint()
    QTest.mouseMove(heatmap.viewport(), pos)
    expected = f"given card_acceptance → predicted card_not_working: {n} row"
    qtbot.waitUntil(lambda: expected in QToolTip.text(), timeout=3000)

    QTest.mouseClick(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: len(view.selection) == n, timeout=3000)
    assert view.selection.row_ids.tolist() == rows_of(frame, "card_acceptance", "card_not_working")
    # a diagonal cell: the rows of that class the model got right
    right = classes.index("pin_blocked")
    QTest.mouseClick(
        heatmap.viewport(), Qt.MouseButton.LeftButton, pos=heatmap.cell_centre(right, right).toPoint()
    )
    qtbot.waitUntil(
        lambda: view.selection.row_ids.tolist() == rows_of(frame, "pin_blocked", "pin_blocked"), timeout=3000
    )
    assert len(view.selection) > 0


def test_77_classes_fit_1000_by_320(view: ConfusionView) -> None:
    QApplication.processEvents()
    assert not squeezed(view), squeezed(view)
    heatmap, listed = view.matrix.heatmap, view.matrix.list
    # the heatmap gives every class at least three pixels each way; the list shows both names whole
    box = heatmap.viewbox.sceneBoundingRect()
    assert box.width() / 77 >= 3 and box.height() / 77 >= 2.5, box
    # both class columns show at least 16 characters of a name
    sixteen = listed.fontMetrics().horizontalAdvance("card_payment_fee")
    assert min(listed.columnWidth(0), listed.columnWidth(1)) >= sixteen + 16  # + the swatch
    assert listed.height() >= 5 * listed.verticalHeader().defaultSectionSize()
    assert np.isclose(view.pairs.agreement, 1 - 327 / 3080)
