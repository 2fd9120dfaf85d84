"""The import dialog: pick a file, preview it, map its columns to roles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from analysis.ingest.annotations import AnnotationSpec
from analysis.ingest.importer import preview_file
from analysis.ingest.roles import (
    ANNOTATOR_NAMES,
    LABELLED_AT_NAMES,
    RESPONSE_NAMES,
    RoleMapping,
    first_named,
    guess_roles,
)
from widgets.table_view import FrameTableModel

NONE = "(none)"
ROLE_FIELDS = ("id", "text", "label", "pred", "time", "split")
FILE_FILTER = "Data files (*.csv *.tsv *.parquet *.jsonl *.ndjson *.json *.arrow *.feather);;All files (*)"


@dataclass(frozen=True)
class ImportRequest:
    """What the user asked to import."""

    path: Path
    roles: RoleMapping
    name: str
    encoding: str
    outputs_path: Path | None
    label_map: Path | None
    annotation: AnnotationSpec | None = None


def _labelled_row(fields: list[tuple[str, QWidget, int]]) -> QHBoxLayout:
    """One line of ``label widget`` pairs, each widget with its stretch."""
    row = QHBoxLayout()
    for text, widget, stretch in fields:
        row.addWidget(QLabel(text))
        row.addWidget(widget, stretch)
    return row


class ImportDialog(QDialog):
    """Preview a file and choose its role mapping; ``request()`` gives the result after ``accept``."""

    def __init__(self, path: str | Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import dataset")
        self.resize(900, 620)
        self.path_edit = QLineEdit(str(path or ""))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.encoding = QLineEdit("utf-8")
        self.encoding.editingFinished.connect(self.load_preview)
        self.name = QLineEdit()
        self.outputs = QLineEdit(placeholderText="optional: model outputs in another file, joined on id")
        self.label_map = QLineEdit(placeholderText="optional: integer label → name mapping file")
        self.proba_prefix = QLineEdit(placeholderText="e.g. prob_ (columns prob_<label>)")
        self.combos = {role: QComboBox() for role in ROLE_FIELDS}
        # Annotations in the long shape are grouped into items by the id, which may take several columns.
        self.combos["id"].setEditable(True)
        self.combos["id"].setToolTip("the row's id; several columns as a,b,c (a long file's item)")
        self.annotator_cols = QLineEdit(
            placeholderText="wide: one column each, e.g. rater_a,rater_b or rater_?"
        )
        self.annotator = QComboBox(toolTip="long shape: the column naming each row's annotator")
        self.labelled_at = QComboBox(toolTip="long shape: the column holding when each label was given")
        self.one_hot = QLineEdit(
            placeholderText="e.g. is_abuse", toolTip="collapse one-hot columns NAME.<value>"
        )
        self.response = QComboBox(toolTip="the model's response to the text (a generative run)")
        self.reference = QComboBox(toolTip="optional: the expected answer (for --pass-if match)")
        self.passed = QComboBox(toolTip="optional: a pass/fail column given by the evaluator")
        self.scores = QLineEdit(
            placeholderText="e.g. preference", toolTip="evaluator score columns, comma-separated"
        )
        self.pass_if = QLineEdit(
            placeholderText='e.g. ">= 1.5" or match',
            toolTip="the rule that passes a response: a comparison on the first score, or match "
            "(the reference)",
        )
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.preview_model = FrameTableModel(self)
        self.preview = QTableView()
        self.preview.setModel(self.preview_model)

        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("File", file_row)
        form.addRow("Encoding", self.encoding)
        form.addRow("Dataset name", self.name)
        form.addRow("Roles", _labelled_row([(role, combo, 1) for role, combo in self.combos.items()]))
        form.addRow("Probabilities", self.proba_prefix)
        annotators = _labelled_row(
            [
                ("columns", self.annotator_cols, 2),
                ("or annotator", self.annotator, 1),
                ("labelled at", self.labelled_at, 1),
                ("one-hot", self.one_hot, 1),
            ]
        )
        form.addRow("Annotators", annotators)
        generative = _labelled_row(
            [
                ("response", self.response, 1),
                ("reference", self.reference, 1),
                ("scores", self.scores, 1),
                ("pass if", self.pass_if, 1),
                ("or passed", self.passed, 1),
            ]
        )
        form.addRow("Generative", generative)
        form.addRow("Outputs file", self.outputs)
        form.addRow("Label map", self.label_map)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview (first 100 rows)"))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.path_edit.editingFinished.connect(self.load_preview)
        if path:
            self.load_preview()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Return only commits the field it is typed in (a typed path is previewed by its
        editingFinished): QDialog would press Import with roles the user has not seen. Alt+I, a click
        or Return on a focused button imports."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(
            self.focusWidget(), QPushButton
        ):
            return
        super().keyPressEvent(event)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Import dataset", "", FILE_FILTER)
        if chosen:
            self.path_edit.setText(chosen)
            self.load_preview()

    def load_preview(self) -> None:
        """Read the first rows of the file, fill the preview and guess the roles."""
        path = Path(self.path_edit.text().strip())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        frame, problem = preview_file(path, self.encoding.text().strip() or "utf-8")
        if frame is None:
            self.error.setText(problem)
            self.preview_model.set_frame(pl.DataFrame())
            ok.setEnabled(False)
            return
        self.error.setText("")
        ok.setEnabled(True)
        if not self.name.text():
            self.name.setText(path.stem)
        self.preview_model.set_frame(frame.with_row_index("_row_id"))
        guess = guess_roles(frame.columns)
        for role, combo in self.combos.items():
            combo.clear()
            combo.addItems([NONE, *frame.columns])
            value = getattr(guess, role)
            combo.setCurrentText(value if value else NONE)
        for combo, names in (
            (self.annotator, ANNOTATOR_NAMES),
            (self.labelled_at, LABELLED_AT_NAMES),
            (self.response, RESPONSE_NAMES),
            (self.reference, ()),
            (self.passed, ()),
        ):
            combo.clear()
            combo.addItems([NONE, *frame.columns])
            combo.setCurrentText(first_named(frame.columns, names) or NONE)
        if guess.proba_prefix and not self.proba_prefix.text():
            self.proba_prefix.setText(guess.proba_prefix)

    def request(self) -> ImportRequest:
        """The import the user asked for."""
        chosen = {
            role: (c.currentText() if c.currentText() != NONE else None) for role, c in self.combos.items()
        }
        picked = {
            name: c.currentText() if c.currentText() != NONE else None
            for name, c in (
                ("response", self.response),
                ("reference", self.reference),
                ("passed", self.passed),
            )
        }
        roles = RoleMapping(
            **chosen,
            **picked,
            proba_prefix=self.proba_prefix.text().strip() or None,
            scores=tuple(c.strip() for c in self.scores.text().split(",") if c.strip()),
            pass_if=self.pass_if.text().strip() or None,
        )
        return ImportRequest(
            path=Path(self.path_edit.text().strip()),
            roles=roles,
            name=self.name.text().strip() or Path(self.path_edit.text()).stem,
            encoding=self.encoding.text().strip() or "utf-8",
            outputs_path=Path(self.outputs.text().strip()) if self.outputs.text().strip() else None,
            label_map=Path(self.label_map.text().strip()) if self.label_map.text().strip() else None,
            annotation=self.annotation(),
        )

    def annotation(self) -> AnnotationSpec | None:
        """The annotator options chosen (as ``strata import --annotator-cols/--annotator``), or None."""
        chosen = {
            c: c.currentText() if c.currentText() != NONE else None
            for c in (self.annotator, self.labelled_at)
        }
        spec = AnnotationSpec(
            columns=tuple(c.strip() for c in self.annotator_cols.text().split(",") if c.strip()),
            annotator=chosen[self.annotator],
            one_hot=self.one_hot.text().strip() or None,
            labelled_at=chosen[self.labelled_at],
        )
        return spec if spec != AnnotationSpec() else None
