"""The project panel: datasets, their versions and the model runs on each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

VERSION_ROLE = Qt.ItemDataRole.UserRole + 1


if TYPE_CHECKING:
    from storage.runs import Run
    from storage.versions import Version


class ProjectPanel(QWidget):
    """A tree of datasets → versions → model runs; emits ``versionActivated(version_id)``."""

    versionActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        # A side panel is narrow: name and rows; when, where from, SHA-256 and note are in the tooltip.
        self.tree.setHeaderLabels(["Dataset", "Rows"])
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._on_activate)
        self.tree.itemClicked.connect(self._on_activate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)

    def set_versions(self, versions: list[Version], runs: dict[int, list[Run]], current: int | None) -> None:
        """Fill the tree; the current version is highlighted."""
        self.tree.clear()
        datasets: dict[str, QTreeWidgetItem] = {}
        for v in versions:
            parent = datasets.get(v.dataset)
            if parent is None:
                parent = QTreeWidgetItem([v.dataset])
                self.tree.addTopLevelItem(parent)
                datasets[v.dataset] = parent
            when = v.imported_at.strftime("%Y-%m-%d %H:%M") if v.imported_at else ""
            name = f"version {v.number}" + (f" · {v.note}" if v.note else "")
            item = QTreeWidgetItem([name, f"{v.rows:,}"])
            item.setData(0, VERSION_ROLE, v.version_id)
            tip = f"{v.source_path}\nSHA-256 {v.source_sha256}\nimported {when}" + (
                f"\n{v.note}" if v.note else ""
            )
            for column in range(2):
                item.setToolTip(column, tip)
            parent.addChild(item)
            parent.setData(0, VERSION_ROLE, v.version_id)
            for run in runs.get(v.version_id, []):
                kind = "probabilities" if run.has_probabilities else "labels only"
                child = QTreeWidgetItem([f"run: {run.title}"])
                made = "made by Strata from the labels" if run.kind == "probe" else kind
                child.setToolTip(0, f"model run {run.name} ({made})")
                child.setData(0, VERSION_ROLE, v.version_id)
                item.addChild(child)
            if v.version_id == current:
                self.tree.setCurrentItem(item)
        self.tree.expandAll()

    def _on_activate(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        version = item.data(0, VERSION_ROLE)
        if version is not None:
            self.versionActivated.emit(int(version))
