"""Class rubrics: edited with `strata rubric` and in the review queue (E, undoable), shown next to the
suggestion for the row under review; a long or nameless rubric is a message, not a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.main_window import MainWindow
from storage.errors import InputError
from storage.project import Project
from storage.rubrics import MAX_CHARS, read_rubric, set_rubric
from tests.conftest import run_strata


def test_rubrics_are_set_listed_removed_and_logged(sample_project: Path, tmp_path: Path) -> None:
    rubrics = tmp_path / "rubric.csv"
    rubrics.write_text(
        "class,rubric\ncard_arrival,Asks when an ordered card arrives; not a lost card\n"
        'lost_or_stolen_card,"The card is gone: lost, stolen or taken"\n',
        encoding="utf-8",
    )
    done = run_strata("rubric", str(sample_project), "--file", str(rubrics), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Set 2 rubric(s)" in done.stdout and "card_arrival: Asks when" in done.stdout
    done = run_strata("rubric", str(sample_project), "--set", "card_arrival", "", "--json", cwd=tmp_path)
    assert json.loads(done.stdout)["rubric"] == {
        "lost_or_stolen_card": "The card is gone: lost, stolen or taken"
    }
    missing = run_strata("rubric", str(sample_project), "--file", str(tmp_path / "nope.csv"), cwd=tmp_path)
    assert missing.returncode == 2 and "is not a file" in missing.stderr and "Traceback" not in missing.stderr
    with Project.open(sample_project) as project:
        with pytest.raises(InputError, match="keep it under"):
            set_rubric(project, 1, "card_arrival", "x" * (MAX_CHARS + 1))
        with project.engine.connect() as conn:
            edits = conn.exec_driver_sql(
                "SELECT detail FROM audit_log WHERE action = 'rubric_set' ORDER BY id"
            ).fetchall()
    assert [json.loads(d)["class"] for (d,) in edits] == [
        "card_arrival",
        "lost_or_stolen_card",
        "card_arrival",
    ]


def test_the_review_queue_shows_the_rubric_and_e_edits_it_undoably(
    window: MainWindow, sample_project: Path
) -> None:
    window.open_project(sample_project)
    window.start_review()
    review = window.curation.review
    item = review.queue.current
    assert item is not None and item.suggested
    assert "No rubric for" in review.rubric_text.text()
    window.rubric.ask = lambda _parent, name, current: f"What {name} means, for the reviewers"
    QTest.keyClick(review, Qt.Key.Key_E)
    assert f"What {item.suggested} means" in review.rubric_text.text()
    with Project.open(sample_project) as project:
        assert read_rubric(project, 1) == {item.suggested: f"What {item.suggested} means, for the reviewers"}
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "No rubric for" in review.rubric_text.text()
    with Project.open(sample_project) as project:
        assert read_rubric(project, 1) == {}
    window.rubric.ask = lambda _parent, _name, _current: None  # cancelled: nothing changes
    QTest.mouseClick(review.edit_rubric, Qt.MouseButton.LeftButton)
    assert "No rubric for" in review.rubric_text.text()


def test_the_rubric_dialog_wraps_long_lines_and_returns_the_typed_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Found in the real window: Qt's multi-line input scrolled a one-line rubric sideways."""
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QInputDialog, QPlainTextEdit

    from app.rubric import ask_rubric_text

    seen: list[object] = []

    def type_and_accept() -> None:
        dialog = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, QInputDialog) and w.isVisible()
        )
        edit = dialog.findChild(QPlainTextEdit)
        seen.append(edit.lineWrapMode())
        QTest.keyClicks(edit, ", not a fee")
        dialog.accept()

    QTimer.singleShot(200, type_and_accept)
    text = ask_rubric_text(None, "exchange_rate", "Asks what rate is applied")  # type: ignore[arg-type]
    assert seen == [QPlainTextEdit.LineWrapMode.WidgetWidth]
    assert text == "Asks what rate is applied, not a fee"
