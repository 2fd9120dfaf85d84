"""The error panel, the frame and ``strata errors`` count a tag's rows the same way (distinct rows), and
the panel draws a tag's colour as a swatch beside black text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from analysis.selection import SelectionModel
from analysis.view_frame import load_view_frame
from app.cli import main
from storage.project import Project
from storage.tags import apply_tag, create_tag, read_row_tags
from widgets.error_panel import ErrorPanel


def panel_counts(panel: ErrorPanel) -> dict[str, int]:
    table = panel.table
    return {
        table.item(r, 0).text(): int(table.item(r, 1).text().replace(",", ""))
        for r in range(table.rowCount())
    }


def test_panel_report_and_frame_agree_with_human_tags(
    qtbot,
    sample_project: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    with Project.open(sample_project) as project:
        auto = read_row_tags(project, 1)
        issues = np.sort(auto.filter(auto["tag"] == "label_issue")["row_id"].to_numpy())
        others = np.setdiff1d(np.arange(40), issues)[:3]
        # a person confirms five automatic label issues and adds three: the rows carry the tag twice
        apply_tag(project, 1, "label_issue", [*issues[:5].tolist(), *others.tolist()], note="checked")
        create_tag(project, "typo", "#ff00ff", "Misspelt text", "curation")
        apply_tag(project, 1, "typo", [1, 2, 3, 3])
        frame = load_view_frame(project, 1)
    expected_issues = issues.size + others.size
    panel = ErrorPanel(SelectionModel())
    qtbot.addWidget(panel)
    panel.set_frame(frame)

    shown = panel_counts(panel)
    assert main(["errors", str(sample_project), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["modes"]
    from_frame = {c.name: c.rows for c in frame.tag_counts()}
    assert shown == from_frame == {name: mode["rows"] for name, mode in report.items()}
    assert shown["label_issue"] == expected_issues and shown["typo"] == 3
    assert list(shown) == frame.tag_names() == list(report)  # one order too
    assert report["label_issue"]["sources"] == ["auto", "human"] and report["typo"]["kind"] == "curation"
    assert int(frame.tag_mask("label_issue").sum()) == expected_issues


def test_tag_colour_is_a_swatch_and_the_text_stays_black(qtbot, sample_project: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(sample_project) as project:
        frame = load_view_frame(project, 1)
    panel = ErrorPanel(SelectionModel())
    qtbot.addWidget(panel)
    panel.set_frame(frame)
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).text() == "cluster_noise")
    item = panel.table.item(row, 0)
    assert item.data(Qt.ItemDataRole.ForegroundRole) is None  # the palette's text colour
    assert panel.palette().color(QPalette.ColorRole.Text) == QColor("black")
    image = item.icon().pixmap(12, 12).toImage()
    assert image.pixelColor(6, 6) == QColor("#c7c7c7")  # the tag's own light grey, in the swatch
    assert "In no HDBSCAN cluster." in item.toolTip() and "automatic error mode" in item.toolTip()
