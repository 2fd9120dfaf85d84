"""The clusters list: name, size and error rate; clicking clusters selects their rows everywhere.

A version can have two clusterings (HDBSCAN on the 2-D map, spherical k-means on the vectors); a
combo box above the list chooses which one it lists (shown only when there are two).

A name is renamed in place (double-click it, or F2): the view does not change the name itself but
emits :attr:`ClustersView.renameRequested` with the cluster's label and the typed name, so the
window can store it as an undoable command and show it everywhere through the view frame. The
clustering it belongs to is :attr:`ClustersView.stage`; names can be edited only in the clusterings
listed in :attr:`ClustersView.renamable`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from analysis.selection import SelectionModel
from analysis.view_frame import CLUSTERING_TITLES

LABEL_ROLE = Qt.ItemDataRole.UserRole + 1


if TYPE_CHECKING:
    from analysis.view_frame import ViewFrame
    from storage.stage_outputs import ClusterInfo


class _NameDelegate(QStyledItemDelegate):
    """Edits a cluster's name in a line edit; on commit it hands the text to ``commit`` instead of
    writing it into the model (the stored name comes back through :meth:`ClustersView.set_clusters`
    or :meth:`ClustersView.set_cluster_name` once the window has saved it)."""

    def __init__(self, commit: Callable[[int, str, str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._commit = commit

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
            editor.selectAll()
        else:
            super().setEditorData(editor, index)

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(editor, QLineEdit):
            self._commit(
                int(index.data(LABEL_ROLE)), editor.text(), str(index.data(Qt.ItemDataRole.EditRole))
            )


class ClustersView(QWidget):
    """Lists a version's clusters; selecting rows of the list selects the clusters' members.

    Signals
    -------
    renameRequested(int, str)
        The user typed a new name for the cluster with this label in the clustering shown
        (:attr:`stage`) (the text as typed; emitted only when it differs from the shown name once
        runs of whitespace are collapsed). Checking and storing it is the receiver's job.
    clusteringChanged(str)
        The user chose another clustering to list (its column: ``cluster`` or ``cluster_sphere``).

    Attributes
    ----------
    renamable : set of str
        The clusterings whose names can be edited; the receiver of :attr:`renameRequested` adds a
        clustering here once it stores names in the clustering named by :attr:`stage`.
    """

    renameRequested = Signal(int, str)
    clusteringChanged = Signal(str)

    def __init__(self, selection: SelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.cluster_column: pl.Series | None = None
        self.renamable = {"cluster"}
        self._clusterings: dict[str, tuple[list[ClusterInfo], pl.Series | None]] = {}
        self._has_run = False
        self.choice = QComboBox()
        self.choice.setToolTip(
            "Which clustering to list: HDBSCAN on the 2-D map (rows in no cluster are noise) or "
            "spherical k-means on the embedding vectors (every row in a cluster)"
        )
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.choice.hide()
        self.choice.currentIndexChanged.connect(self._on_choice)
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
        triggers = QAbstractItemView.EditTrigger
        self.view.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
        self.view.setItemDelegateForColumn(0, _NameDelegate(self._request_rename, self.view))
        self.items.horizontalHeaderItem(0).setToolTip(
            "Double-click a name (or press F2) to rename the cluster"
        )
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self._restoring = False
        self.view.selectionModel().selectionChanged.connect(self._on_pick)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.choice)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)

    @property
    def stage(self) -> str:
        """The clustering listed: ``cluster`` (HDBSCAN on the map) or ``cluster_sphere`` (vectors)."""
        chosen = self.choice.currentData()
        return str(chosen) if chosen else "cluster"

    def show_frame(self, frame: ViewFrame | None) -> None:
        """List the clusters of a frame's clustering that is chosen (the same one as before when the
        frame has it, else the first of :data:`analysis.view_frame.CLUSTERING_TITLES` it has)."""
        if frame is None:
            self.set_clusterings({}, False)
            return
        found = {c: (frame.cluster_list(c), frame.rows[c]) for c in frame.clusterings()}
        self.set_clusterings(found, frame.run_name is not None)

    def set_clusterings(
        self, clusterings: dict[str, tuple[list[ClusterInfo], pl.Series | None]], has_run: bool
    ) -> None:
        """Offer these clusterings (column → its clusters and each row's label) and list the chosen
        one; the combo box shows only when there is more than one."""
        keep = self.stage
        self._clusterings, self._has_run = dict(clusterings), has_run
        self.choice.blockSignals(True)
        self.choice.clear()
        for column in clusterings:
            self.choice.addItem(CLUSTERING_TITLES.get(column, column), column)
        at = self.choice.findData(keep)
        self.choice.setCurrentIndex(max(at, 0))
        self.choice.blockSignals(False)
        self.choice.setVisible(len(clusterings) > 1)
        clusters, column = clusterings.get(self.stage, ([], None))
        self._show(clusters, column, has_run)

    def choose_clustering(self, column: str) -> None:
        """List the clustering in ``column`` (as choosing it in the combo box would)."""
        at = self.choice.findData(column)
        if at >= 0:
            self.choice.setCurrentIndex(at)

    def _on_choice(self, _index: int) -> None:
        clusters, column = self._clusterings.get(self.stage, ([], None))
        self.cluster_column = None  # another clustering: nothing stays picked
        self._show(clusters, column, self._has_run)
        self.clusteringChanged.emit(self.stage)

    def set_clusters(
        self, clusters: list[ClusterInfo], cluster_column: pl.Series | None, has_run: bool
    ) -> None:
        """Show one clustering's clusters (HDBSCAN's ``cluster`` column), as :meth:`set_clusterings`."""
        self.set_clusterings({"cluster": (clusters, cluster_column)} if clusters else {}, has_run)

    def _show(self, clusters: list[ClusterInfo], cluster_column: pl.Series | None, has_run: bool) -> None:
        """Show clusters (largest first); ``cluster_column`` is each row's cluster label (-1 noise).

        When the clustering is the one shown (a rename reloads the names) and the shared selection is
        still the rows of the clusters picked in the list, they stay picked, without selecting their
        rows again.
        """
        same = (
            cluster_column is not None
            and self.cluster_column is not None
            and cluster_column.equals(self.cluster_column)
        )
        keep = self._picked_labels() if same else []
        if keep and cluster_column is not None:
            # Only while the shared selection is still those clusters' rows (a new version clears it).
            rows = np.flatnonzero(cluster_column.is_in(keep).fill_null(False).to_numpy())
            if not np.array_equal(np.sort(self.selection.row_ids), rows):
                keep = []
        self.cluster_column = cluster_column
        triggers = QAbstractItemView.EditTrigger
        renamable = self.stage in self.renamable
        self.view.setEditTriggers(
            triggers.DoubleClicked | triggers.EditKeyPressed if renamable else triggers.NoEditTriggers
        )
        self._restoring = True
        try:
            self._fill(clusters, renamable)
            self._pick(keep)
        finally:
            self._restoring = False
        if not clusters:
            self.note.setText("No clusters yet: run the pipeline (Ctrl+R).")
        else:
            noise = int((cluster_column == -1).sum()) if cluster_column is not None else 0
            extra = "" if has_run else " Error rates need a model run."
            rename = " Double-click a name to rename it." if renamable else ""
            rest = f"{noise:,} rows in no cluster" if noise else "every row in a cluster"
            self.note.setText(f"{len(clusters)} clusters; {rest}.{extra}{rename}")

    def _fill(self, clusters: list[ClusterInfo], renamable: bool) -> None:
        self.items.removeRows(0, self.items.rowCount())
        for c in clusters:
            name = QStandardItem(c.name)
            name.setData(c.name, Qt.ItemDataRole.UserRole)
            name.setData(c.label, LABEL_ROLE)
            name.setToolTip(_tooltip(c, renamable))
            size = QStandardItem(f"{c.size:,}")
            size.setData(c.size, Qt.ItemDataRole.UserRole)
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            rate = QStandardItem("—" if c.error_rate is None else f"{c.error_rate:.1%}")
            rate.setData(-1.0 if c.error_rate is None else c.error_rate, Qt.ItemDataRole.UserRole)
            rate.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for item in (size, rate):
                item.setEditable(False)
            self.items.appendRow([name, size, rate])
        self.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)

    def _picked_labels(self) -> list[int]:
        rows = {i.row() for i in self.view.selectionModel().selectedRows()}
        return [int(self.proxy.index(r, 0).data(LABEL_ROLE)) for r in rows]

    def _pick(self, labels: list[int]) -> None:
        """Select the list rows of these clusters (the list's own selection only)."""
        chosen = QItemSelection()
        for row in range(self.proxy.rowCount()):
            if int(self.proxy.index(row, 0).data(LABEL_ROLE)) in labels:
                chosen.select(self.proxy.index(row, 0), self.proxy.index(row, self.proxy.columnCount() - 1))
        self.view.selectionModel().select(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def set_cluster_name(self, cluster: ClusterInfo) -> None:
        """Show a cluster's (new) name without reloading the list, e.g. after a rename or its undo."""
        for row in range(self.items.rowCount()):
            item = self.items.item(row, 0)
            if int(item.data(LABEL_ROLE)) == cluster.label:
                item.setText(cluster.name)
                item.setData(cluster.name, Qt.ItemDataRole.UserRole)
                item.setToolTip(_tooltip(cluster, self.stage in self.renamable))
                return

    def _request_rename(self, label: int, typed: str, shown: str) -> None:
        if " ".join(typed.split()) != shown:
            # Emitted once the editor has closed: a receiver may reload the list, which must not
            # happen while the delegate is still committing into it.
            QTimer.singleShot(0, self, lambda: self.renameRequested.emit(label, typed))

    def select_clusters(self, labels: list[int]) -> None:
        """Select the rows of the clusters with these labels (as a click on them would)."""
        if self.cluster_column is None:
            return
        mask = self.cluster_column.is_in(labels).fill_null(False).to_numpy()
        self.selection.set(np.flatnonzero(mask), source=self)

    def _on_pick(self, *_: object) -> None:
        if self._restoring:
            return
        labels = self._picked_labels()
        if labels:
            self.select_clusters(labels)


def _tooltip(cluster: ClusterInfo, renamable: bool = True) -> str:
    lines = ["Keywords: " + (", ".join(cluster.keywords) or "none")]
    if cluster.auto_name and cluster.name != cluster.auto_name:
        lines.append(f"Automatic name: {cluster.auto_name}")
    if renamable:
        lines.append("Double-click to rename")
    return "\n".join(lines)
