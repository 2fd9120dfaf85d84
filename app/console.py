"""Progress on the terminal: a rich progress bar, and Ctrl-C as a clean cancel between batches."""

from __future__ import annotations

import signal


class ConsoleProgress:
    """A rich progress bar that turns Ctrl-C into a clean cancel between batches."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn()
        )
        self._task = self._bar.add_task("starting", total=None)
        self._stop = False

    def __enter__(self) -> ConsoleProgress:
        self._previous = signal.signal(signal.SIGINT, self._on_interrupt)
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()
        signal.signal(signal.SIGINT, self._previous)

    def _on_interrupt(self, *_: object) -> None:
        self._stop = True
        self._bar.update(self._task, description="stopping after this batch…")

    def total(self, n: int) -> None:
        self._bar.reset(self._task, total=n)

    def advance(self, n: int = 1) -> None:
        self._bar.advance(self._task, n)

    def message(self, text: str) -> None:
        self._bar.update(self._task, description=text)

    def cancelled(self) -> bool:
        return self._stop
