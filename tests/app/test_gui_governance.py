"""The Governance tab on the sample project, driven with the mouse and keys: approval refused on a
failing contract and given with an override, metadata edited (stale shown, undo), the KPI chart's
figures, and a failure mode's status edited in the backlog (undo)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from analysis.errors.report import error_report
from app.main_window import MainWindow
from storage.backlog import read_backlog
from storage.dataset_meta import read_meta
from storage.project import Project
from storage.tags import create_tag
from tests.app.test_gui_safety import when_modal
from widgets.governance_dialogs import ApproveDialog, MetaDialog

FAILING = "[label_issues]\nmax_share = 0.001\n"


def _ok(dialog: QWidget) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    QTest.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_approval_is_refused_then_overridden(
    window: MainWindow, sample_project: Path, tmp_path: Path
) -> None:
    contract = tmp_path / "c.toml"
    contract.write_text(FAILING)
    window.open_project(sample_project)
    view = window.governance.view
    window.work_tabs.setCurrentWidget(view)
    assert "not approved" in view.status.text()
    with Project.open(sample_project) as project:
        share = error_report(project, 1)["modes"]["label_issue"]["share"]
    _, y = view.curves["label_issue_share"].getData()
    assert y is not None and abs(y[0] - 100 * share) < 0.01
    seen: list[str] = []
    unbuddied: list[str] = []
    focus: list[bool] = []

    def first(dialog: QWidget) -> None:
        assert isinstance(dialog, ApproveDialog)
        # a label with a mnemonic shows its "&" literally unless it has a buddy (checked after the
        # dialogs close: an assertion failing in here would leave a modal dialog open)
        unbuddied.extend(
            label.text() for label in dialog.findChildren(QLabel) if "&" in label.text() and not label.buddy()
        )
        QTest.keyClicks(dialog.note, "release 1")
        dialog.contract.clear()
        QTest.keyClicks(dialog.contract, str(contract))
        when_modal(second)
        _ok(dialog)

    def second(dialog: QWidget) -> None:
        assert isinstance(dialog, ApproveDialog)
        seen.append(dialog.note.text())
        focus.append(dialog.focusWidget() is dialog.override)
        QTest.keyClicks(dialog.override, "known noise")
        _ok(dialog)

    when_modal(first)
    QTest.mouseClick(view.approve, Qt.MouseButton.LeftButton)
    assert seen == ["release 1"]  # asked again, with the note kept
    assert focus == [True] and unbuddied == []  # the cursor waits in the override field
    assert "approved by" in view.status.text() and "contract overridden: known noise" in view.status.text()
    with Project.open(sample_project) as project, project.engine.connect() as conn:
        (detail,) = conn.exec_driver_sql(
            "SELECT detail FROM audit_log WHERE action = 'version_approve'"
        ).one()
    assert json.loads(detail)["override"] == "known noise"


def test_metadata_edit_shows_stale_and_undoes(window: MainWindow, sample_project: Path) -> None:
    window.open_project(sample_project)
    view = window.governance.view
    window.work_tabs.setCurrentWidget(view)

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, MetaDialog)
        QTest.keyClicks(dialog.owner, "data-team")
        QTest.mouseClick(dialog.has_retention, Qt.MouseButton.LeftButton)
        dialog.retention.setDate(QDate(2020, 1, 31))
        _ok(dialog)

    when_modal(fill)
    QTest.mouseClick(view.meta, Qt.MouseButton.LeftButton)
    assert "stale" in view.status.text() and "owner data-team" in view.status.text()
    with Project.open(sample_project) as project:
        assert read_meta(project, 1).retention_until == "2020-01-31"
    # the offscreen platform leaves no window active once a dialog closes, so Ctrl+Z (tested in
    # test_gui_safety) has no window to go to here: the undo stack is asked directly
    window.undo_stack.undo()
    assert "stale" not in view.status.text()
    with Project.open(sample_project) as project:
        assert read_meta(project, 1).owner == ""


def test_backlog_status_is_edited_and_undone(window: MainWindow, sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        create_tag(project, "refund confusion", kind="failure_mode")
    window.open_project(sample_project)
    view = window.governance.view
    window.work_tabs.setCurrentWidget(view)
    assert view.backlog.rowCount() == 1
    rect = view.backlog.visualItemRect(view.backlog.item(0, 0))
    QTest.mouseClick(view.backlog.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.save.isEnabled()
    view.edit_status.setFocus()
    QTest.keyClick(view.edit_status, Qt.Key.Key_Down)  # open → in progress
    QTest.keyClick(view.edit_status, Qt.Key.Key_Down)  # → fixed
    QTest.keyClicks(view.edit_owner, "ana")
    QTest.mouseClick(view.save, Qt.MouseButton.LeftButton)
    assert view.backlog.item(0, 1).text() == "fixed" and view.backlog.item(0, 3).text() == "ana"
    window.undo_stack.undo()
    with Project.open(sample_project) as project:
        (entry,) = read_backlog(project)
    assert entry.status == "open" and entry.owner == ""
    assert view.backlog.item(0, 1).text() == "open"
