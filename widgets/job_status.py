"""The status bar's job area: what is running, its progress, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar


class JobStatus:
    """Puts a label, a progress bar and a Cancel button in ``bar`` and follows one job at a time.

    ``cancelRequested`` is the Cancel button's ``clicked`` signal; the window connects it to its job
    runner, and the runner's signals to :meth:`started`, :meth:`progressed` and :meth:`ended`.
    """

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        self.idle_text = "Ready"
        self.label = QLabel(self.idle_text)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.cancel_button = QPushButton("Cancel")
        self.cancelRequested: Signal = self.cancel_button.clicked  # type: ignore[assignment]
        bar.addWidget(self.label, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()

    def started(self, description: str) -> None:
        """A job began: its name, a busy bar and Cancel."""
        self.label.setText(description + "…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()

    def progressed(self, done: int, total: int, text: str) -> None:
        """The running job's progress (``total`` 0 when unknown) and message."""
        if text:
            self.label.setText(text)
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def set_idle(self, text: str) -> None:
        """What the label says when no job runs (the shown version); shown now unless a job runs."""
        self.idle_text = text
        if self.progress.isHidden():
            self.label.setText(text)

    def ended(self, description: str, ok: bool) -> None:
        """The job ended: the label goes back to the idle text (a failure's message stays until the
        next job), with a short "done" message when it succeeded."""
        self.progress.hide()
        self.cancel_button.hide()
        if ok:
            self.label.setText(self.idle_text)
            self.bar.showMessage(f"{description}: done", 5000)
