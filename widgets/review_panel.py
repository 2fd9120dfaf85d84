"""The review queue: one row at a time, worst first, one keystroke per decision."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from analysis.versions.review import ACCEPT, KEEP, RELABEL, SKIP, ReviewQueue
from analysis.view_frame import ViewFrame

HELP = (
    "A accept suggestion · K keep label · O other label (from the list) · T tag · S skip · "
    "E edit rubric · Backspace back"
)


class ReviewPanel(QWidget):
    """Walks a :class:`ReviewQueue`; emits the row under review, tag intents and the save intent."""

    rowShown = Signal(int)
    tagRequested = Signal(int)
    saveRequested = Signal()
    queueRequested = Signal(str)  # review the rows of this tag
    decisionRequested = Signal(str, object)  # decision, label (None but for "relabel")
    backRequested = Signal()
    rubricEditRequested = Signal(str)  # the class whose rubric to edit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.queue: ReviewQueue | None = None
        self.frame: ViewFrame | None = None
        self.rubric: dict[str, str] = {}
        self.source = QComboBox()
        self.source.setToolTip("Which rows to review, worst first")
        self.source.activated.connect(lambda _i: self.queueRequested.emit(self.source.currentText()))
        self.progress = QLabel("")
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.text.setMinimumWidth(200)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.labels = QLabel("")
        self.other = QComboBox()
        self.other.setToolTip("The label O assigns")
        self.rubric_text = QLabel("")
        self.rubric_text.setWordWrap(True)
        self.rubric_text.setTextFormat(Qt.TextFormat.RichText)
        self.rubric_text.setToolTip("What the classes mean: the rubric of the suggested and given labels")
        self.edit_rubric = QPushButton("Edit rubric…")
        self.edit_rubric.setToolTip("Write what the suggested class means, for everyone who reviews (E)")
        self.edit_rubric.clicked.connect(self._edit_rubric)
        buttons = QGridLayout()
        for i, (text, slot) in enumerate(
            (
                ("Accept (A)", lambda: self.decide(ACCEPT)),
                ("Keep (K)", lambda: self.decide(KEEP)),
                ("Other (O)", lambda: self.decide(RELABEL, self.other.currentText())),
                ("Skip (S)", lambda: self.decide(SKIP)),
            )
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button, i // 2, i % 2)
        self.save = QPushButton("Save corrections as a new version")
        self.save.clicked.connect(self.saveRequested.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.source)
        layout.addWidget(self.progress)
        layout.addWidget(self.text)
        layout.addWidget(self.labels)
        layout.addWidget(self.other)
        layout.addWidget(self.rubric_text)
        layout.addWidget(self.edit_rubric)
        layout.addLayout(buttons)
        layout.addWidget(QLabel(HELP, wordWrap=True))
        layout.addStretch(1)
        layout.addWidget(self.save)

    def set_queue(self, queue: ReviewQueue | None, frame: ViewFrame | None) -> None:
        """Review ``queue`` over the rows of ``frame``."""
        self.queue, self.frame = queue, frame
        self.other.clear()
        self.source.clear()
        if frame is not None:
            self.other.addItems(frame.class_names)
            self.source.addItems(frame.tag_names())
            self.source.setCurrentText(queue.tag if queue is not None else "label_issue")
        self._show(emit=False)

    def set_rubric(self, rubric: dict[str, str]) -> None:
        """Show ``rubric`` (class name → text) next to the row under review."""
        self.rubric = dict(rubric)
        self._show(emit=False)

    def _edit_rubric(self) -> None:
        """Ask to edit the rubric of the suggested class (else of the label O would assign)."""
        item = self.queue.current if self.queue is not None else None
        name = (item.suggested if item is not None else None) or self.other.currentText()
        if name:
            self.rubricEditRequested.emit(name)

    def _rubric_lines(self, given: object, suggested: str | None) -> str:
        """The rubric of the suggested class, and of the given one when it differs (HTML)."""
        names = [n for n in dict.fromkeys([suggested, None if given is None else str(given)]) if n]
        lines = [f"<b>{escape(n)}</b>: {escape(self.rubric[n])}" for n in names if n in self.rubric]
        if not lines and names:
            return f"<i>No rubric for {escape(names[0])} yet (Edit rubric… writes one).</i>"
        return "<br>".join(lines)

    def decide(self, decision: str, label: str | None = None) -> None:
        """Ask for a decision on the current row (the controller stores it and calls :meth:`refresh`)."""
        if self.queue is not None and self.queue.current is not None:
            self.decisionRequested.emit(decision, label)

    def refresh(self) -> None:
        """Show the queue's current row (after a decision or a step back)."""
        self._show()

    def set_tag_names(self, names: list[str]) -> None:
        """The tags whose rows can be reviewed (the chosen one stays chosen)."""
        current = self.source.currentText()
        self.source.clear()
        self.source.addItems(names)
        self.source.setCurrentText(current)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_A:
            self.decide(ACCEPT)
        elif key == Qt.Key.Key_K:
            self.decide(KEEP)
        elif key == Qt.Key.Key_O:
            self.decide(RELABEL, self.other.currentText())
        elif key in (Qt.Key.Key_S, Qt.Key.Key_Space):
            self.decide(SKIP)
        elif key == Qt.Key.Key_T and self.queue is not None and self.queue.current is not None:
            self.tagRequested.emit(self.queue.current.row_id)
        elif key == Qt.Key.Key_Backspace and self.queue is not None:
            self.backRequested.emit()
        elif key == Qt.Key.Key_E:
            self._edit_rubric()
        else:
            super().keyPressEvent(event)

    def _show(self, emit: bool = True) -> None:
        queue, frame = self.queue, self.frame
        if queue is None or frame is None or not queue.items:
            self.progress.setText("Nothing to review: run the pipeline, or choose another tag above.")
            self.text.setText("")
            self.labels.setText("")
            self.rubric_text.setText("")
            self.save.setEnabled(False)
            return
        corrections = len(queue.corrections())
        self.save.setEnabled(corrections > 0)
        item = queue.current
        done = f"{queue.position} of {len(queue.items)} reviewed · {corrections} correction(s)"
        if item is None:
            self.progress.setText(done + " · queue finished")
            self.text.setText("")
            self.labels.setText("")
            self.rubric_text.setText("")
            return
        row = frame.rows.row(item.row_id, named=True)
        self.progress.setText(done)
        self.text.setText(str(row[frame.text_column]) if frame.text_column else str(row["_row_key"]))
        given = row.get(frame.label_column) if frame.label_column else None
        shown = "<i>unlabelled</i>" if given is None else f"<b>{given}</b>"  # a row to label (queue)
        self.labels.setText(f"given: {shown} → suggested: <b>{item.suggested}</b> (score {item.score:.2f})")
        self.rubric_text.setText(self._rubric_lines(given, item.suggested))
        if item.suggested:
            self.other.setCurrentText(item.suggested)
        if emit:
            self.rowShown.emit(item.row_id)

    def focusInEvent(self, event: object) -> None:
        """Taking the keyboard shows the current row everywhere."""
        super().focusInEvent(event)  # type: ignore[arg-type]
        if self.queue is not None and self.queue.current is not None:
            self.rowShown.emit(self.queue.current.row_id)
