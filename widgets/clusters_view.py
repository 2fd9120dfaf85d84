"""The clusters list: name, size and error rate; clicking clusters selects their rows everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from analysis.selection import SelectionModel

LABEL_ROLE = Qt.ItemDataRole.UserRole + 1


if TYPE_CHECKING:
    from storage.stage_outputs import ClusterInfo


class ClustersView(QWidget):
    """Lists a version's clusters; selecting rows of the list selects the clusters' members."""

    def __init__(self, selection: SelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.cluster_column: pl.Series | None = None
        self.items = QStandardItemModel(0, 3, self)
        self.items.setHorizontalHeaderLabels(["Cluster", "Rows", "Error rate"])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.items)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.view.selectionModel().selectionChanged.connect(self._on_pick)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)

    def set_clusters(
        self, clusters: list[ClusterInfo], cluster_column: pl.Series | None, has_run: bool
    ) -> None:
        """Show clusters (largest first); ``cluster_column`` is each row's cluster label (-1 noise)."""
        self.cluster_column = cluster_column
        self.items.removeRows(0, self.items.rowCount())
        for c in clusters:
            name = QStandardItem(c.name)
            name.setData(c.name, Qt.ItemDataRole.UserRole)
            name.setData(c.label, LABEL_ROLE)
            name.setToolTip(", ".join(c.keywords))
            size = QStandardItem(f"{c.size:,}")
            size.setData(c.size, Qt.ItemDataRole.UserRole)
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            rate = QStandardItem("—" if c.error_rate is None else f"{c.error_rate:.1%}")
            rate.setData(-1.0 if c.error_rate is None else c.error_rate, Qt.ItemDataRole.UserRole)
            rate.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for item in (name, size, rate):
                item.setEditable(False)
            self.items.appendRow([name, size, rate])
        self.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        if not clusters:
            self.note.setText("No clusters yet: run the pipeline (Ctrl+R).")
        else:
            noise = int((cluster_column == -1).sum()) if cluster_column is not None else 0
            extra = "" if has_run else " Error rates need a model run."
            self.note.setText(f"{len(clusters)} clusters, {noise:,} rows in none.{extra}")

    def select_clusters(self, labels: list[int]) -> None:
        """Select the rows of the clusters with these labels (as a click on them would)."""
        if self.cluster_column is None:
            return
        mask = self.cluster_column.is_in(labels).fill_null(False).to_numpy()
        self.selection.set(np.flatnonzero(mask), source=self)

    def _on_pick(self, *_: object) -> None:
        rows = {i.row() for i in self.view.selectionModel().selectedRows()}
        labels = [int(self.proxy.index(r, 0).data(LABEL_ROLE)) for r in rows]
        if labels:
            self.select_clusters(labels)
