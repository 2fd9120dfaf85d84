"""The row inspector: one row's text, label and prediction, top-k probabilities, tags and neighbours."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame
from widgets.tables import append_row, readonly_table

TOP_K = 5


class RowInspector(QWidget):
    """Shows the first selected row: why it may be wrong, and what its neighbours are labelled."""

    def __init__(self, selection: SelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.frame: ViewFrame | None = None
        self.row_id: int | None = None
        self.header = QLabel("Select a row")
        self.header.setWordWrap(True)
        self.chart = pg.PlotWidget(background="w")
        self.chart.setMaximumHeight(150)
        self.chart.hideAxis("left")
        self.chart.setMouseEnabled(False, False)
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[], brush=(158, 202, 225), pen=None)
        self.chart.addItem(self.bars)
        self.bar_labels: list[pg.TextItem] = []
        self.responses_title = QLabel("Responses of every run")
        self.responses = QTextBrowser()
        self.responses.setMinimumHeight(160)
        self.response_verdicts: dict[str, str] = {}  # run → verdict shown
        self.tags = readonly_table(["Tag", "Source", "Score", "Detail"])
        self.neighbours = readonly_table(["Neighbour", "Label"])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        self.chart_title = QLabel(f"Top-{TOP_K} class probabilities")
        layout.addWidget(self.chart_title)
        layout.addWidget(self.chart)
        layout.addWidget(self.responses_title)
        layout.addWidget(self.responses, 1)
        layout.addWidget(QLabel("Tags and their provenance"))
        layout.addWidget(self.tags, 1)
        layout.addWidget(QLabel("Nearest neighbours in embedding space"))
        layout.addWidget(self.neighbours, 1)
        self._unsubscribe = selection.subscribe(
            lambda ids, _s: self.show_row(int(ids[0]) if ids.size else None)
        )

    def set_frame(self, frame: ViewFrame | None) -> None:
        """Follow a new version (shows nothing until a row is selected)."""
        self.frame = frame
        self.show_row(None)

    def show_row(self, row_id: int | None) -> None:
        """Show ``row_id`` of the current frame (None clears)."""
        self.row_id = row_id
        for table in (self.tags, self.neighbours):
            table.setRowCount(0)
        self.responses.clear()
        self.response_verdicts = {}
        generative = self.frame is not None and not self.frame.run_responses.is_empty()
        self.responses_title.setVisible(generative)
        self.responses.setVisible(generative)
        self.chart.setVisible(not generative)
        self.chart_title.setVisible(not generative)
        self._bars(np.zeros(0), [])
        frame = self.frame
        if frame is None or row_id is None or row_id >= frame.rows.height:
            self.header.setText("Select a row on the map, in the table or in the review queue.")
            return
        row = frame.rows.row(row_id, named=True)
        text = str(row[frame.text_column]) if frame.text_column else str(row["_row_key"])
        label = row.get(frame.label_column) if frame.label_column else None
        parts = [f"<b>{_escape(text)}</b>"] + ([f"label: {label}"] if frame.label_column else [])
        if "predicted" in row:
            parts.append(
                f"predicted: {row['predicted']}"
                + ("" if row.get("confidence") is None else f" ({row['confidence']:.2f})")
            )
        if "response" in row:
            verdict = {True: "passed", False: "failed"}.get(row.get("correct"), "no verdict")
            parts.append(f"{frame.run_name}: {verdict}")
        self.header.setText("<br>".join(parts))
        self._fill_responses(frame, row_id)
        if frame.probabilities is not None:
            probs = frame.probabilities[row_id]
            top = np.argsort(-probs)[:TOP_K]
            self._bars(probs[top], [frame.class_names[i] for i in top])
        self._fill_tags(frame.tags.filter(pl.col("row_id") == row_id))
        if frame.neighbours is not None and row_id < len(frame.neighbours):
            for n in frame.neighbours[row_id][:10]:
                other = frame.rows.row(int(n), named=True)
                append_row(
                    self.neighbours,
                    [
                        str(other[frame.text_column]) if frame.text_column else str(other["_row_key"]),
                        str(other.get(frame.label_column)) if frame.label_column else "",
                    ],
                )

    def _fill_responses(self, frame: ViewFrame, row_id: int) -> None:
        answers = frame.run_responses
        if answers.is_empty():
            return
        blocks = []
        for run, response, correct, score in (
            answers.filter(pl.col("_row_id") == row_id)
            .select("run", "response", "correct", "score")
            .iter_rows()
        ):
            verdict = {True: "✓ passed", False: "✗ failed"}.get(correct, "no verdict")
            self.response_verdicts[run] = verdict
            colour = {True: "#2ca02c", False: "#d62728"}.get(correct, "#777")
            shown = "" if score is None else f" · score {score:.3g}"
            body = _escape(str(response)[:4000]).replace("\n", "<br>") or "<i>(empty response)</i>"
            blocks.append(
                f"<p><b>{_escape(run)}</b> <span style='color:{colour}'>{verdict}</span>{shown}<br>{body}</p>"
            )
        self.responses.setHtml("<hr>".join(blocks))

    def _bars(self, values: NDArray[np.floating], names: list[str]) -> None:
        for item in self.bar_labels:
            self.chart.removeItem(item)
        self.bar_labels = []
        y = np.arange(len(values))[::-1].astype(float)
        self.bars.setOpts(x0=np.zeros(len(values)), y=y, width=np.asarray(values, dtype=float), height=0.7)
        for value, name, yy in zip(values, names, y, strict=True):
            label = pg.TextItem(f"{name}  {value:.2f}", color=(20, 20, 20), anchor=(0, 0.5))
            label.setPos(0.01, yy)
            self.chart.addItem(label)
            self.bar_labels.append(label)
        self.chart.setXRange(0, 1, padding=0)
        self.chart.setYRange(-0.6, max(len(values), 1) - 0.4, padding=0)

    def _fill_tags(self, tags: pl.DataFrame) -> None:
        for tag, source, score, detail, author in tags.select(
            "tag", "source", "score", "detail", "author"
        ).iter_rows():
            info = json.loads(detail) if detail else {}
            shown = ", ".join(f"{k}: {v}" for k, v in info.items() if k != "group")
            who = f"{source} ({author})" if source == "human" else source
            append_row(self.tags, [tag, who, "" if score is None else f"{score:.3g}", shown])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
