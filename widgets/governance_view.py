"""The Governance tab: the shown version's approval and its dataset's metadata, the quality KPIs over
its versions (a chart), and the failure-mode backlog with an editor. It renders what it is given and
emits intents; the controller (:mod:`app.governance`) reads, writes and runs jobs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from analysis.governance.backlog import RISK_LEVELS, STATUSES
from analysis.governance.kpis import KPI_SERIES

COLOURS = ((196, 78, 82), (76, 114, 176), (85, 168, 104), (129, 114, 179))
SHARES = [s for s in KPI_SERIES if s[2] == "share"]
BACKLOG_COLUMNS = ("Failure mode", "Status", "Risk", "Owner", "Defined by", "Rows · error rate per version")


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _kpi_line(k: dict[str, Any]) -> str:
    drifted = "—" if k["drifted_columns"] is None else k["drifted_columns"]
    return (
        f"{k['version']}: {k['rows']:,} rows; label issues {_rate(k['label_issue_share'])}, "
        f"exact dup. {_rate(k['exact_duplicate_share'])}, near dup. {_rate(k['near_duplicate_share'])}, "
        f"gold {_rate(k['gold_accuracy'])}, drifted columns {drifted}"
    )


class GovernanceView(QWidget):
    """Shows approval, metadata, KPIs and the backlog; emits what the user asks for."""

    approveRequested = Signal()
    metaRequested = Signal()
    reportRequested = Signal()
    backlogEdited = Signal(str, dict)  # tag, {field: value}
    backlogAdded = Signal(str, str)  # name, link
    shown = Signal()  # the tab came into view (the controller reads what it shows only then)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel("Open a project to see its governance.", wordWrap=True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.approve = QPushButton("&Approve…", toolTip="Approve this version (its contract must pass)")
        self.meta = QPushButton("&Metadata…", toolTip="Owner, licence, source, retention date, risk level")
        self.report = QPushButton("&Report…", toolTip="Write this version's report as one offline HTML file")
        for button, signal in (
            (self.approve, self.approveRequested),
            (self.meta, self.metaRequested),
            (self.report, self.reportRequested),
        ):
            button.clicked.connect(signal.emit)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        for button in (self.approve, self.meta, self.report):
            top.addWidget(button)

        self.chart = pg.PlotWidget(background="w")
        self.chart.setMinimumSize(200, 80)
        plot = self.chart.getPlotItem()
        plot.setLabel("left", "% of rows")
        plot.setMouseEnabled(False, False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.legend = plot.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.curves = {
            key: plot.plot(
                [],
                [],
                name=title,
                pen=pg.mkPen(COLOURS[i], width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush=pg.mkBrush(COLOURS[i]),
            )
            for i, (key, title, _) in enumerate(SHARES)
        }

        self.backlog = QTableWidget(0, len(BACKLOG_COLUMNS))
        self.backlog.setHorizontalHeaderLabels(list(BACKLOG_COLUMNS))
        self.backlog.verticalHeader().hide()
        self.backlog.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backlog.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backlog.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.backlog.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.backlog.itemSelectionChanged.connect(self._chosen)

        self.edit_status = QComboBox()
        self.edit_status.addItems(list(STATUSES))
        self.edit_risk = QComboBox()
        self.edit_risk.addItems(list(RISK_LEVELS))
        self.edit_owner = QLineEdit(placeholderText="owner")
        self.edit_link = QLineEdit(placeholderText="slice:NAME or cluster:NAME")
        self.edit_note = QLineEdit(placeholderText="note")
        self.save = QPushButton("&Save", enabled=False)
        self.save.clicked.connect(self._save)
        self.add = QPushButton(
            "A&dd…", toolTip="A new failure mode: a name, and the slice or cluster defining it"
        )
        self.add.clicked.connect(self._add)
        # two rows, so the fields keep a readable width in half of a 1366-pixel window
        first, second = QHBoxLayout(), QHBoxLayout()
        for w in (self.edit_status, self.edit_risk, self.edit_owner):
            first.addWidget(w)
        first.setStretch(2, 1)
        for w in (self.edit_link, self.edit_note, self.save, self.add):
            second.addWidget(w)
        second.setStretch(0, 1)
        second.setStretch(1, 2)
        editor = QVBoxLayout()
        editor.addLayout(first)
        editor.addLayout(second)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.backlog, 1)
        lower_layout.addLayout(editor)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.chart)
        split.addWidget(lower)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([400, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.items: list[dict[str, Any]] = []

    def show_status(self, version: str, approval: dict[str, Any] | None, meta: dict[str, Any]) -> None:
        """The version's approval and the dataset's metadata, one line."""
        parts = [f"<b>{version}</b>"]
        if approval is None:
            parts.append('<span style="color:#a4231d">not approved</span>')
        else:
            override = f" (contract overridden: {approval['override']})" if approval.get("override") else ""
            who = f"approved by {approval['author']} on {approval['at'][:10]}"
            parts.append(f'<span style="color:#1e6b34">{who}</span>{override}')
        if meta.get("stale"):
            stale = f"<b>stale</b>: past its retention date {meta['retention_until']}"
            parts.append(f'<span style="color:#a4231d">{stale}</span>')
        owner, licence = meta.get("owner") or "—", meta.get("licence") or "—"
        parts.append(f"owner {owner} · licence {licence} · risk {meta.get('risk_level')}")
        self.status.setText(" · ".join(parts))

    def show_kpis(self, kpis: list[dict[str, Any]]) -> None:
        """Draw the share KPIs over versions (x: version; ticks name them)."""
        x = np.arange(len(kpis), dtype=np.float64)
        for key, curve in self.curves.items():
            y = np.array([np.nan if k[key] is None else 100 * k[key] for k in kpis], dtype=np.float64)
            keep = ~np.isnan(y)
            curve.setData(x[keep], y[keep])
        axis = self.chart.getPlotItem().getAxis("bottom")
        axis.setTicks([[(float(i), k["version"].rsplit(":", 1)[-1]) for i, k in enumerate(kpis)]])
        self.chart.getPlotItem().setLabel(
            "bottom", "version" if not kpis else f"version of {kpis[0]['version'].rsplit(':', 1)[0]}"
        )
        self.chart.getPlotItem().setXRange(-0.5, max(len(kpis) - 0.5, 0.5), padding=0)
        self.chart.setToolTip("\n".join(_kpi_line(k) for k in kpis))

    def show_backlog(self, items: list[dict[str, Any]]) -> None:
        """Fill the backlog table (keeps the chosen failure mode chosen)."""
        chosen = self.chosen_tag()
        self.items = items
        self.backlog.setRowCount(len(items))
        for r, item in enumerate(items):
            versions = "; ".join(
                f"{v['version'].rsplit(':', 1)[-1]}: {v['rows']:,} · {_rate(v['error_rate'])}"
                for v in item["versions"]
            )
            values = (
                item["tag"],
                item["status"],
                item["risk_level"],
                item["owner"] or "—",
                item["link"] or item["evidence"],
                versions,
            )
            for c, text in enumerate(values):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.backlog.setItem(r, c, cell)
            if item["tag"] == chosen:
                self.backlog.selectRow(r)
        self._chosen()

    def chosen_tag(self) -> str | None:
        """The failure mode whose row is selected."""
        rows = self.backlog.selectionModel().selectedRows()
        return self.items[rows[0].row()]["tag"] if rows and rows[0].row() < len(self.items) else None

    def _chosen(self) -> None:
        tag = self.chosen_tag()
        self.save.setEnabled(tag is not None)
        item = next((i for i in self.items if i["tag"] == tag), None)
        if item is None:
            return
        self.edit_status.setCurrentText(item["status"])
        self.edit_risk.setCurrentText(item["risk_level"])
        self.edit_owner.setText(item["owner"])
        self.edit_link.setText(item["link"])
        self.edit_note.setText(item["note"])

    def _save(self) -> None:
        tag = self.chosen_tag()
        if tag is None:
            return
        self.backlogEdited.emit(
            tag,
            {
                "status": self.edit_status.currentText(),
                "risk_level": self.edit_risk.currentText(),
                "owner": self.edit_owner.text(),
                "link": self.edit_link.text(),
                "note": self.edit_note.text(),
            },
        )

    def _add(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(self, "Add a failure mode", "Name (a new human tag):")
        if ok and name.strip():
            self.backlogAdded.emit(name.strip(), self.edit_link.text().strip())

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.shown.emit()

    def clear(self) -> None:
        """Nothing shown (no project or version)."""
        self.status.setText("Show a version to see its approval, KPIs and backlog.")
        self.show_kpis([])
        self.show_backlog([])
