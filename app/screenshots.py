"""Screenshots of the main window's views, rendered offscreen (used by the headless demo and docs)."""

from __future__ import annotations

import os
from pathlib import Path


def save_screenshots(project_path: Path, out_dir: Path, size: tuple[int, int] = (1600, 1000)) -> list[Path]:
    """Open ``project_path`` in an offscreen main window of ``size`` pixels and save one PNG per view.

    Returns
    -------
    list of pathlib.Path
        ``window.png`` (the whole window, map coloured by cluster), ``map.png``, ``table.png`` (the
        rows of the cluster with the highest error rate selected), ``clusters.png`` and, once error
        modes are tagged, ``error-modes.png``, ``confusion-matrix.png``,
        ``review-inspector.png`` and ``slices.png``; with two versions, ``version-diff.png`` (first
        against newest), ``drift.png`` (unsure against confident predictions) and ``drift-map.png``.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from app.gui import ensure_app
    from app.main_window import MainWindow

    app = ensure_app()
    settings = QSettings(str(out_dir / "screenshot-settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, sync_jobs=True)
    window.resize(*size)
    window.open_project(project_path)
    window.show()
    app.processEvents()
    from app.window_layout import fit_to

    fit_to(window, *size)
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = []

    def grab(widget: object, name: str) -> None:
        app.processEvents()
        path = out_dir / name
        widget.grab().save(str(path))  # type: ignore[attr-defined]
        shots.append(path)

    grab(window, "window.png")
    grab(window.map_view, "map.png")
    frame = window.frame
    if frame is not None and frame.clusters:
        worst = max(frame.clusters, key=lambda c: (c.error_rate or 0.0, c.size))
        window.clusters_view.select_clusters([worst.label])
        window.map_view.set_colour_mode("correct" if "correct" in frame.rows.columns else "label")
        grab(window, "window-selection.png")
    grab(window.table_view, "table.png")
    grab(window.clusters_view, "clusters.png")
    if frame is not None and not frame.tags.is_empty():
        _error_views(window, grab)
    if frame is not None and window.versions.diff_view.from_box.count() > 1:
        _version_views(window, grab)
    (out_dir / "screenshot-settings.ini").unlink(missing_ok=True)
    window.close()
    return shots


def _error_views(window: object, grab: object) -> None:
    """Error modes, confusion matrix, inspector and review queue on the worst label issue."""
    from app.main_window import MainWindow

    assert isinstance(window, MainWindow) and callable(grab)
    curation = window.curation
    window.docks["Error modes"].raise_()
    window.map_view.set_colour_mode("tag:label_issue")
    window.selection.clear()
    grab(window, "error-modes.png")
    window.work_tabs.setCurrentWidget(curation.confusion)
    curation.confusion.normalised.setChecked(True)
    grab(window, "confusion-matrix.png")
    window.start_review()
    grab(window, "review-inspector.png")
    window.work_tabs.setCurrentWidget(window.slicing.panel)
    window.slicing.refresh()
    if window.slicing.metrics:
        window.slicing.choose(next(iter(window.slicing.metrics)))
    window.slicing.panel.alpha.setValue(0.99)
    window.slicing.discover()
    grab(window, "slices.png")


def _version_views(window: object, grab: object) -> None:
    """The diff of the first and newest versions, and the drift of unsure against confident rows."""
    from app.main_window import MainWindow

    assert isinstance(window, MainWindow) and callable(grab)
    window.selection.clear()
    window.map_view.set_colour_mode("cluster")
    diff = window.versions.diff_view
    window.work_tabs.setCurrentWidget(diff)
    diff.from_box.setCurrentIndex(0)
    diff.to_box.setCurrentIndex(diff.to_box.count() - 1)
    diff.compareRequested.emit(diff.from_box.currentData(), diff.to_box.currentData())
    grab(window, "version-diff.png")
    drift = window.versions.drift_view
    window.work_tabs.setCurrentWidget(drift)
    drift.ref_where.setText("confidence >= 0.5")
    drift.cur_where.setText("confidence < 0.5")
    drift.embeddings.setChecked(True)
    drift.run_button.click()
    grab(window, "drift.png")
    drift.map_button.click()
    window.map_view.fit()
    grab(window, "drift-map.png")
