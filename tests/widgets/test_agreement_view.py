"""The agreement view on ConvAbuse's train split (8 annotators, 2,501 rows) as a person uses it: the
figures, the kappa heatmap named on hover, the per-label bars, and the most-disagreed rows selected
and sent to review with real clicks, in a 1000 × 320 tab."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from analysis.ingest.annotations import AnnotationSpec
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.agreement_report import AgreementResult, agreement_for_version
from analysis.palette import RIGHT, WRONG, palette_colour
from storage.project import Project
from tests.widget_sizes import squeezed
from widgets.agreement_view import EMPTY_NOTE, AgreementView, kappa_rgba


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> AgreementResult:
    path = tmp_path_factory.mktemp("agreement_view") / "p.strata"
    with Project.create(path) as project:
        imported = import_dataset(
            project,
            data_dir / "convabuse" / "ConvAbuseEMNLPtrain.csv",
            RoleMapping(id="example_id", text="user"),
            annotation=AnnotationSpec(columns=("Annotator?",), one_hot="is_abuse"),
        )
        return agreement_for_version(project, imported.version_id)


@pytest.fixture
def view(qtbot, result: AgreementResult) -> AgreementView:  # type: ignore[no-untyped-def]
    widget = AgreementView()
    qtbot.addWidget(widget)
    widget.resize(1000, 320)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_result(result)
    qtbot.wait(50)  # the layout settles: the cells and the list's rows have their places
    return widget


def test_the_figures_fit_and_the_bars_are_the_per_label_agreement(
    view: AgreementView, result: AgreementResult
) -> None:
    assert f"nominal {result.alpha_nominal:.3f}, ordinal {result.alpha_ordinal:.3f}" in view.note.text()
    assert f"Fleiss' κ {result.fleiss:.3f}" in view.note.text()
    assert squeezed(view) == []
    np.testing.assert_allclose(view.bars.heights, result.specific)
    brushes = view.bars.bars.opts["brushes"]
    assert [b.color().getRgb() for b in brushes] == [palette_colour(int(i)) for i in result.colour_indices]
    view.pages.setCurrentIndex(1)
    table = view.annotators
    assert table.rowCount() == 8 and table.item(7, 0).text() == "Annotator5"  # lowest quality last


def test_hovering_a_cell_names_the_pair_and_its_kappa(
    view: AgreementView, result: AgreementResult, qtbot
) -> None:  # type: ignore[no-untyped-def]
    heatmap = view.heatmap
    assert heatmap.bottom_axis.names == [str(i) for i in range(1, 9)]  # "Annotator" said once, on the left
    a, b = result.annotators.index("Annotator5"), result.annotators.index("Annotator7")
    QTest.mouseMove(heatmap.viewport(), heatmap.cell_centre(a, b).toPoint())
    expected = (
        f"Annotator5 × Annotator7: Cohen's kappa {result.cohen[a, b]:.2f} on {result.shared[a, b]:,} rows "
        "both labelled"
    )
    qtbot.waitUntil(lambda: QToolTip.isVisible() and QToolTip.text() == expected, timeout=3000)
    # the pair agreeing least is the palest green of the matrix, and no cell is red (no kappa below 0)
    colours = kappa_rgba(result.cohen)
    greens = colours[..., 1].astype(int) - colours[..., 0].astype(int)
    off = ~np.eye(8, dtype=bool)
    assert greens[a, b] == greens[off].min() and (result.cohen[off] > 0).all()
    assert tuple(kappa_rgba(np.array([[np.nan, 1.0], [-1.0, np.nan]]))[0, 1]) == RIGHT
    assert tuple(kappa_rgba(np.array([[np.nan, 1.0], [-1.0, np.nan]]))[1, 0]) == WRONG


def test_clicking_rows_selects_them_and_sends_them_to_review(
    view: AgreementView, result: AgreementResult, qtbot
) -> None:  # type: ignore[no-untyped-def]
    table = view.rows
    top = result.disagreements.head(2)
    assert table.item(0, 3).text() == top["text"][0] and table.item(0, 1).text() == top["labels"][0]
    assert result.disagreements.height == 688  # more than the list shows: it says so
    assert view.rows_note.text() == "688 rows with disagreement (500 listed)" and table.rowCount() == 500
    with qtbot.waitSignal(view.rowsSelected, timeout=2000) as first:
        QTest.mouseClick(
            table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(0, 1)).center()
        )
    assert first.args == [[int(top["row_id"][0])]]
    with qtbot.waitSignal(view.rowsSelected, timeout=2000) as both:
        QTest.mouseClick(
            table.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ControlModifier,
            table.visualItemRect(table.item(1, 1)).center(),
        )
    assert both.args == [top["row_id"].to_list()]
    with qtbot.waitSignal(view.reviewRequested, timeout=2000) as sent:
        QTest.mouseClick(view.review_button, Qt.MouseButton.LeftButton)
    assert sent.args == [top["row_id"].to_list()]
    table.clearSelection()
    with qtbot.waitSignal(view.reviewRequested, timeout=2000) as everything:
        QTest.mouseClick(view.review_button, Qt.MouseButton.LeftButton)
    assert everything.args == [result.disagreements.head(500)["row_id"].to_list()]


def test_cleared_it_says_why_and_asks_for_nothing(view: AgreementView, qtbot) -> None:  # type: ignore[no-untyped-def]
    view.clear("banking:1 has no annotations.")
    assert view.note.text() == "banking:1 has no annotations." and view.rows.rowCount() == 0
    assert not view.review_button.isEnabled()
    with qtbot.assertNotEmitted(view.reviewRequested):
        QTest.mouseClick(view.review_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.computeRequested, timeout=2000):
        QTest.mouseClick(view.compute_button, Qt.MouseButton.LeftButton)
    view.clear()
    assert view.note.text() == EMPTY_NOTE
    QApplication.processEvents()
