"""The event loop keeps beating (no stall over 200 ms) while the window opens a project, exports rows
and saves review corrections with its jobs on worker threads, as in the application. Drift and diff
(tests/app/test_gui_versions.py) and SliceLine and slice metrics (tests/app/test_gui_slices.py) are
measured the same way."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from app.heartbeat import run_and_measure
from app.main_window import MainWindow
from storage.project import Project
from storage.versions import resolve_version
from widgets.export_dialog import ExportDialog

STALL_MS = 200


def test_showing_exporting_and_saving_keep_the_window_responsive(
    live_window: MainWindow, sample_project: Path, tmp_path: Path, banking_small: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window = live_window
    with Project.open(sample_project) as project:
        sample = resolve_version(project)
        other = import_dataset(
            project, banking_small, RoleMapping(id="id", text="text", label="category"), name="small"
        ).version_id
    # the first opening also pays for one-off imports and the first paint; the benchmark reports it
    window.open_project(sample_project)
    qtbot.waitUntil(lambda: window.frame is not None and not window.jobs.busy, timeout=60_000)
    for version, rows in ((other, 600), (sample, 3080)):
        seconds, stall = run_and_measure(
            lambda v=version: window.show_version(v),
            lambda r=rows: (
                window.frame is not None and window.frame.rows.height == r and not window.jobs.busy
            ),
        )
        assert stall < STALL_MS, (
            f"showing a version: the GUI thread stalled {stall:.0f} ms of {seconds:.2f} s"
        )

    dialog = ExportDialog(["text", "label"], 3080, "all rows", window)
    dialog.out.setText(str(tmp_path / "all.parquet"))
    seconds, stall = run_and_measure(
        lambda: window.slicing.export_with(dialog, ""),
        lambda: (tmp_path / "all.parquet.manifest.json").exists(),
    )
    assert stall < STALL_MS, f"export: the GUI thread stalled {stall:.0f} ms of {seconds:.2f} s"

    window.start_review()
    review = window.curation.review
    QTest.keyClick(review, Qt.Key.Key_A)
    first = window.frame
    seconds, stall = run_and_measure(
        lambda: QTest.mouseClick(review.save, Qt.MouseButton.LeftButton),
        lambda: window.frame is not first and window.frame is not None and not window.jobs.busy,
    )
    assert stall < STALL_MS, f"saving corrections: the GUI thread stalled {stall:.0f} ms of {seconds:.2f} s"
    assert window.frame.label_column == "label_corrected" and window.frame.coords is not None
