"""The dialogs of the Governance tab: dataset metadata, and a version's approval."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from analysis.governance.backlog import RISK_LEVELS


class MetaDialog(QDialog):
    """Edit a dataset's owner, licence, source, collection policy, retention date and risk level."""

    def __init__(self, dataset: str, meta: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Metadata of '{dataset}'")
        self.owner = QLineEdit(meta.get("owner", ""))
        self.licence = QLineEdit(meta.get("licence", ""), placeholderText="e.g. CC BY 4.0")
        self.source = QLineEdit(meta.get("source", ""), placeholderText="where the data came from")
        self.policy = QLineEdit(
            meta.get("collection_policy", ""), placeholderText="consent, sampling, filters"
        )
        self.has_retention = QCheckBox("Keep until")
        self.retention = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        date = meta.get("retention_until")
        self.has_retention.setChecked(bool(date))
        self.retention.setDate(
            QDate.fromString(date, "yyyy-MM-dd") if date else QDate.currentDate().addYears(1)
        )
        self.retention.setEnabled(bool(date))
        self.has_retention.toggled.connect(self.retention.setEnabled)
        self.risk = QComboBox()
        self.risk.addItems(list(RISK_LEVELS))
        self.risk.setCurrentText(meta.get("risk_level", "medium"))
        retention = QHBoxLayout()
        retention.addWidget(self.has_retention)
        retention.addWidget(self.retention, 1)
        form = QFormLayout(self)
        form.addRow("&Owner", self.owner)
        form.addRow("&Licence", self.licence)
        form.addRow("&Source", self.source)
        form.addRow("Collection &policy", self.policy)
        form.addRow("Retention", retention)
        form.addRow("&Risk level", self.risk)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(480, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        """The fields as :func:`storage.dataset_meta.set_meta` takes them."""
        return {
            "owner": self.owner.text(),
            "licence": self.licence.text(),
            "source": self.source.text(),
            "collection_policy": self.policy.text(),
            "retention_until": self.retention.date().toString("yyyy-MM-dd")
            if self.has_retention.isChecked()
            else None,
            "risk_level": self.risk.currentText(),
        }


class ApproveDialog(QDialog):
    """Approve a version: why, the contract it must pass, and (after it failed) an override reason."""

    def __init__(
        self, version: str, contract: str = "", failed: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Approve {version}")
        self.note = QLineEdit(placeholderText="why it is approved (kept in the audit log)")
        self.contract = QLineEdit(contract, placeholderText="contract.toml (optional)")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.contract, 1)
        row.addWidget(browse)
        self.override = QLineEdit(placeholderText="reason to approve although the contract fails")
        form = QFormLayout(self)
        form.addRow("&Note", self.note)
        contract_label = QLabel("&Contract")  # a row given as a layout gets no buddy of its own
        contract_label.setBuddy(self.contract)
        form.addRow(contract_label, row)
        if failed:
            warning = QLabel(
                f"The contract does not pass: {failed}. Give a reason to override it.", wordWrap=True
            )
            warning.setStyleSheet("color: #a4231d")
            form.addRow(warning)
            form.addRow("&Override", self.override)
            self.override.setFocus()  # asked again: what is missing is the reason
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Approve")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, self.sizeHint().height())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Data contract", "", "Data contracts (*.toml)")
        if path:
            self.contract.setText(path)
