"""The status bar's job area: what is running, its progress, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
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
        # A short message ("Tagged 12 rows") shows in the label and gives way to the idle text; not
        # QStatusBar.showMessage, whose text was drawn over the label's.
        self._back = QTimer(bar, singleShot=True, interval=6000)  # dies with the window
        self._back.timeout.connect(lambda: self.progress.isHidden() and self.label.setText(self.idle_text))
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
        self._back.stop()
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
        if self.progress.isHidden() and not self._back.isActive():
            self.label.setText(text)

    def hold(self, text: str) -> None:
        """Say ``text`` until the next job or message (a failure)."""
        self._back.stop()
        self.label.setText(text)

    def flash(self, text: str) -> None:
        """Say ``text`` for a few seconds, then the idle text again."""
        self.label.setText(text)
        self._back.start()

    def ended(self, description: str, ok: bool) -> None:
        """The job ended: the label goes back to the idle text (a failure's message stays until the
        next job)."""
        self.progress.hide()
        self.cancel_button.hide()
        if ok:  # back to what is shown: a finished job's last message must not stay
            self.label.setText(self.idle_text)
