"""Several annotators' labels imported from the window's import dialog, as `strata import` does with
--annotator / --annotator-cols / --one-hot / --labelled-at, on ConvAbuse's real files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.main_window import MainWindow
from storage.annotations import read_annotations
from widgets.import_dialog import NONE, ImportDialog


def long_file(data_dir: Path, folder: Path) -> Path:
    """Every 12th row of ConvAbuse's long file (one row per item × annotator), with label times."""
    frame = pl.read_csv(data_dir / "convabuse" / "ConvAbuseEMNLPfull.csv").gather_every(12)
    start = pl.lit(datetime(2026, 3, 2))
    frame = frame.with_columns(labelled_at=start + pl.duration(seconds=37 * pl.int_range(pl.len())))
    path = folder / "convabuse_long.csv"
    frame.write_csv(path)
    return path


def choose(combo: object, text: str) -> None:
    """Pick ``text`` in a combo box as a person does: focus it and type the start of the name."""
    QTest.mouseClick(combo, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
    QTest.keyClick(combo.view(), Qt.Key.Key_Escape)  # type: ignore[attr-defined]  # close the popup
    QTest.keyClicks(combo, text)  # type: ignore[arg-type]


def test_the_dialog_imports_a_long_file_of_annotations(
    qtbot, window: MainWindow, data_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = long_file(data_dir, tmp_path)
    dialog = ImportDialog(path, window)
    qtbot.addWidget(dialog)
    # The annotator and label-time columns are recognised by their usual names.
    assert dialog.annotator.currentText() == "annotator_id"
    assert dialog.labelled_at.currentText() == "labelled_at"
    # ConvAbuse's items are the conversation turn: several columns make the id (typed, as --id a,b).
    id_edit = dialog.combos["id"].lineEdit()
    QTest.keyClick(id_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(id_edit, "conv_id,user")
    choose(dialog.combos["text"], "user")
    QTest.keyClicks(dialog.one_hot, "is_abuse")
    request = dialog.request()
    assert (request.roles.id, request.roles.text) == ("conv_id,user", "user")
    assert request.annotation is not None and request.annotation.shape == "long"
    assert (request.annotation.annotator, request.annotation.one_hot) == ("annotator_id", "is_abuse")

    window.import_file(request)
    assert window.project is not None and window.frame is not None
    annotations = read_annotations(window.project, window.frame.version_id)
    rows = pl.read_csv(path)
    assert annotations.height == rows.height
    assert annotations["annotator"].n_unique() == rows["annotator_id"].n_unique() > 2
    assert annotations["labelled_at"].null_count() == 0
    assert window.frame.rows.height == rows.select("conv_id", "user").n_unique()  # one row per item
    assert f"{rows.height:,} annotations stored" in window.job_status.label.text()


def test_no_annotator_options_is_a_plain_import(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = ImportDialog(data_dir / "convabuse" / "ConvAbuseEMNLPtrain.csv")
    qtbot.addWidget(dialog)
    assert dialog.annotator.currentText() == NONE and dialog.annotation() is None
    QTest.keyClicks(dialog.annotator_cols, "Annotator?_is_abuse.1, Annotator?_is_abuse.0")
    spec = dialog.annotation()
    assert spec is not None and spec.shape == "wide"
    assert spec.columns == ("Annotator?_is_abuse.1", "Annotator?_is_abuse.0")


def test_return_in_the_path_field_previews_and_does_not_import(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Typing a path and pressing Return shows the file; it must not start an import whose roles the
    user has not seen yet (found in the real window: the import failed at once)."""
    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    QTest.keyClicks(dialog.path_edit, str(data_dir / "convabuse" / "ConvAbuseEMNLPfull.csv"))
    QTest.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.preview_model.rowCount() == 100 and dialog.annotator.currentText() == "annotator_id"
