"""The export dialog: format, destination, de-duplication, stratified sample, redaction; with a preview."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from analysis.slices.export import FORMATS, SUFFIXES, ExportOptions

NONE = "(none)"
# The two clusterings a sample can be balanced by, as the sample-by list explains them.
CLUSTER_COLUMNS = {
    "cluster": "Clusters of the map (HDBSCAN); rows in no cluster are one more stratum",
    "cluster_sphere": "Clusters of the vectors (spherical k-means); every row is in a cluster",
}


class ExportDialog(QDialog):
    """Choose how to export the current filter's rows; ``options()`` and ``path()`` after ``accept``.

    ``optionsChanged`` asks for the token totals of the chosen de-duplication and sample, which the
    caller counts off the GUI thread and shows with :meth:`show_tokens`.
    """

    optionsChanged = Signal()

    def __init__(
        self,
        columns: list[str],
        matching: int,
        filter_text: str,
        parent: QWidget | None = None,
        approved: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export subset")
        self.format = QComboBox()
        self.format.addItems(FORMATS)
        self.out = QLineEdit(str(Path.cwd() / "subset.parquet"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        # The file's extension decides the format (as on the command line): keep the two in step.
        self.format.setCurrentText("parquet")
        self.format.currentTextChanged.connect(
            lambda f: self.out.setText(str(Path(self.out.text()).with_suffix("." + f)))
        )
        self.out.editingFinished.connect(self._follow_extension)
        self.dedupe = QComboBox()
        self.dedupe.addItems([NONE, "exact", "near"])
        self.sample_by = QComboBox()
        self.sample_by.addItems([NONE, *columns])
        self.sample_by.setToolTip("Each value of this column keeps its share of the sampled rows")
        for column, tip in CLUSTER_COLUMNS.items():
            if (at := self.sample_by.findText(column)) >= 0:
                self.sample_by.setItemData(at, tip, Qt.ItemDataRole.ToolTipRole)
        self.sample_size = QSpinBox()
        self.sample_size.setRange(1, 10_000_000)
        self.sample_size.setValue(min(max(matching, 1), 500))
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.redact = QLineEdit(placeholderText="columns to redact, comma-separated")
        self.redact_mode = QComboBox()
        self.redact_mode.addItems(["hash", "drop"])
        self.corrected = QCheckBox("Write corrected labels (from a review) instead of the originals")
        self.redact_pii = QCheckBox(
            "Replace personal data in text (e-mails, phone, card, IBAN, IP) by placeholders"
        )
        self.unapproved = QLabel(
            "This version is not approved (Governance → Approve version…); the manifest will say so."
        )
        self.unapproved.setStyleSheet("color: #a4231d")
        self.unapproved.setWordWrap(True)
        self.unapproved.setVisible(not approved)
        self.preview = QLabel(f"{matching:,} rows match: {filter_text}")
        self.preview.setWordWrap(True)
        self.tokens = QLabel("Counting tokens…")
        # room for its three lines from the start: the dialog is laid out before the counts arrive
        self.tokens.setMinimumHeight(3 * self.tokens.fontMetrics().lineSpacing() + 4)
        self.tokens.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.tokens.setToolTip(
            "Tokens of the bundled model's tokenizer: the text column (counted by the pipeline) and the "
            "shown run's responses, for the version, the filter's rows and the rows exported"
        )
        for changed in (self.dedupe.currentTextChanged, self.sample_by.currentTextChanged):
            changed.connect(self.optionsChanged)
        for spin in (self.sample_size, self.seed):
            spin.valueChanged.connect(self.optionsChanged)
        where = QHBoxLayout()
        where.addWidget(self.out, 1)
        where.addWidget(browse)
        form = QFormLayout(self)
        form.addRow(self.preview)
        form.addRow(self.tokens)
        form.addRow(self.unapproved)
        form.addRow("Format", self.format)
        form.addRow("File", where)
        form.addRow("De-duplicate", self.dedupe)
        form.addRow("Stratified sample by", self.sample_by)
        form.addRow("Sample size", self.sample_size)
        form.addRow("Seed", self.seed)
        form.addRow("Redact", self.redact)
        form.addRow("Redaction", self.redact_mode)
        form.addRow(self.redact_pii)
        form.addRow(self.corrected)
        form.addRow(
            QLabel("A manifest (<file>.manifest.json) records the filter, options, row keys and hashes.")
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def show_tokens(self, text: str) -> None:
        """Show the token totals (one line per step) for the options chosen."""
        self.tokens.setText(text)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Export to", self.out.text())
        if chosen:
            self.out.setText(chosen)
            self._follow_extension()

    def _follow_extension(self) -> None:
        implied = SUFFIXES.get(self.path().suffix.lower())
        if implied is not None and implied != self.format.currentText():
            self.format.blockSignals(True)
            self.format.setCurrentText(implied)
            self.format.blockSignals(False)

    def path(self) -> Path:
        """Where to write."""
        return Path(self.out.text().strip())

    def options(self) -> ExportOptions:
        """The chosen options."""
        sample_by = self.sample_by.currentText()
        return ExportOptions(
            format=SUFFIXES.get(self.path().suffix.lower(), self.format.currentText()),
            corrected_labels=self.corrected.isChecked(),
            dedupe=None if self.dedupe.currentText() == NONE else self.dedupe.currentText(),
            sample_by=None if sample_by == NONE else sample_by,
            sample_size=self.sample_size.value() if sample_by != NONE else None,
            seed=self.seed.value(),
            redact=tuple(c.strip() for c in self.redact.text().split(",") if c.strip()),
            redact_mode=self.redact_mode.currentText(),
            redact_pii=self.redact_pii.isChecked(),
        )
