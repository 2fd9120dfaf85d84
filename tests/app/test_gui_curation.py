"""Error analysis in the window: error modes, confusion matrix, inspector, undoable tags, review queue."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.main_window import MainWindow
from storage.project import Project
from storage.tags import read_row_tags
from storage.versions import list_versions, read_rows
from widgets.clusters_view import LABEL_ROLE


@pytest.fixture
def window(window: MainWindow, sample_project: Path) -> MainWindow:
    """The main window on a copy of the sample project."""
    window.open_project(sample_project)
    return window


def test_error_panel_selects_and_colours(window: MainWindow) -> None:
    panel = window.curation.errors
    modes = {
        panel.table.item(r, 0).text(): int(panel.table.item(r, 1).text().replace(",", ""))
        for r in range(panel.table.rowCount())
    }
    assert modes["misclassified"] == 327 and "label_issue" in modes
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).text() == "label_issue")
    panel.table.cellClicked.emit(row, 0)
    assert len(window.selection) == modes["label_issue"]
    panel.table.cellDoubleClicked.emit(row, 0)
    assert window.map_view.colour_mode() == "tag:label_issue"
    assert window.map_view.legend.list.item(0).text() == f"label_issue  ({modes['label_issue']:,})"


def test_confusion_pair_selects_its_rows(window: MainWindow) -> None:
    view = window.curation.confusion
    pairs = view.pairs
    assert pairs is not None
    counts = pairs.counts
    assert counts.shape == (77, 77) and counts.sum() == 3080 and np.trace(counts) == 3080 - 327
    off = counts - np.diag(np.diag(counts))
    largest = pairs.pairs()[0]
    assert largest.count == off.max()
    view.matrix.choose(largest.first, largest.second)  # as a click on the list's first pair does
    assert len(window.selection) == largest.count
    rows = window.frame.rows[window.selection.row_ids.tolist()]
    assert set(rows["label"]) == {pairs.classes[largest.first]}
    assert set(rows["predicted"]) == {pairs.classes[largest.second]}
    assert window.curation.inspector.row_id == int(window.selection.row_ids[0])


def test_inspector_shows_probabilities_tags_and_neighbours(window: MainWindow) -> None:
    frame = window.frame
    row = int(frame.tags.filter(frame.tags["tag"] == "label_issue")["row_id"][0])
    window.selection.set([row])
    inspector = window.curation.inspector
    assert inspector.row_id == row
    assert len(inspector.bar_labels) == 5
    top = frame.class_names[int(np.argmax(frame.probabilities[row]))]
    assert inspector.bar_labels[0].toPlainText().startswith(top)
    assert "label_issue" in {inspector.tags.item(r, 0).text() for r in range(inspector.tags.rowCount())}
    assert inspector.neighbours.rowCount() == 10
    neighbour = int(frame.neighbours[row][0])
    assert inspector.neighbours.item(0, 1).text() == frame.rows["label"][neighbour]


def test_bulk_tag_a_cluster_then_undo_and_redo(window: MainWindow) -> None:
    controller = window.curation
    controller.create("confusing intents", "#aa00aa", "two intents overlap", "failure_mode")
    assert controller.tags.current() == "confusing intents"
    window.clusters_view.view.selectRow(0)
    label = int(window.clusters_view.proxy.index(0, 0).data(LABEL_ROLE))
    members = np.flatnonzero(window.frame.rows["cluster"].to_numpy() == label)
    controller.tags.note.setText("whole cluster")
    controller.tags._emit_apply("selection")

    def tagged() -> list[int]:
        tags = read_row_tags(window.project, window.version_id)
        return sorted(tags.filter(tags["tag"] == "confusing intents")["row_id"].to_list())

    assert tagged() == members.tolist()
    assert np.array_equal(np.flatnonzero(window.frame.tag_mask("confusing intents")), members)
    controller.undo_stack.undo()
    assert tagged() == []
    controller.undo_stack.redo()
    assert tagged() == members.tolist()
    assert controller.undo_stack.undoText() == f"Tag {members.size:,} rows 'confusing intents'"


def test_review_queue_relabels_into_a_new_version(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    review = window.curation.review
    original_version = window.version_id
    first = review.queue.items[0]
    before = read_rows(window.project, original_version)
    window.start_review()
    assert window.selection.row_ids.tolist() == [first.row_id]
    qtbot.keyClick(review, Qt.Key.Key_A)
    qtbot.keyClick(review, Qt.Key.Key_K)
    assert review.queue.position == 2 and review.save.isEnabled()
    review.save.click()
    with Project.open(window.project.path) as project:
        versions = list_versions(project)
        original = read_rows(project, original_version)
        corrected = read_rows(project, window.version_id)
    assert [v.number for v in versions] == [1, 2] and window.version_id == versions[-1].version_id
    assert corrected["label_corrected"][first.row_id] == first.suggested != original["label"][first.row_id]
    assert original.equals(before)  # the imported version is untouched
    assert window.frame.label_column == "label_corrected"
    assert window.project_panel.tree.topLevelItem(0).childCount() == 2


def test_error_panel_shows_the_thresholds_used(window: MainWindow) -> None:
    text = window.curation.errors.note.text()
    assert "low margin < 0.1" in text and "near-duplicate similarity ≥ 0.95" in text
    assert "ranked (cut at cleanlab's estimate)" in text
