"""The main window's side of the :class:`app.workspace.Workspace` protocol: what the controllers may
ask of it, and how it shows errors. Kept apart from the window's layout and menus."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from analysis.progress import Cancelled
from storage.errors import StrataError, database_error

if TYPE_CHECKING:
    import numpy as np
    import polars as pl
    from numpy.typing import NDArray

    from analysis.palette import LegendEntry
    from app.curation import CurationController
    from storage.project import Project
    from widgets.job_status import JobStatus
    from widgets.map_view import MapView
    from widgets.table_view import TableView


class WindowWorkspace:
    """Mixed into the main window (before ``QMainWindow``), whose views it reads."""

    project: Project | None
    last_error: str
    job_label: QLabel
    job_status: JobStatus
    curation: CurationController
    map_view: MapView
    table_view: TableView

    @property
    def undo_stack(self) -> QUndoStack:
        """The undo stack of edits (tags, slices, review decisions)."""
        return self.curation.undo_stack

    @property
    def dialog_parent(self) -> QWidget:
        """Dialogs are shown over the main window."""
        assert isinstance(self, QWidget)
        return self

    def filtered_rows(self) -> list[int]:
        """The rows the table shows under its current search (applied now if still pending)."""
        self.table_view.finish_search()
        return self.table_view.shown_row_ids().tolist()

    def colour_map(self, mode: str) -> None:
        """Colour the map by ``mode``."""
        self.map_view.set_colour_mode(mode)

    def map_colour_mode(self) -> str:
        """What the map is coloured by now."""
        return self.map_view.colour_mode()

    def add_map_colouring(
        self,
        mode: str,
        title: str,
        values: pl.Series,
        colouring: tuple[NDArray[np.uint8], list[LegendEntry]],
        image: tuple[NDArray[np.uint8], tuple[float, float, float, float]] | None = None,
    ) -> None:
        """Offer a colouring of the map computed elsewhere and show it."""
        self.map_view.add_colouring(mode, title, values, colouring, image)

    def notify(self, text: str) -> None:
        """Say that something was done (the status bar, for a few seconds)."""
        self.job_status.flash(text)

    def show_error(self, error: Exception) -> None:
        """Say what went wrong in the status bar (and in a message box on a real screen)."""
        self.last_error = str(error)
        if isinstance(error, Cancelled):
            self.job_status.hold(str(error))
            return
        if not isinstance(error, StrataError):
            # Busy, read-only or full: faults outside a project transaction get the same words as in one.
            where = self.project.path if self.project is not None else "the project"
            translated = database_error(error, where)
            self.last_error = str(translated) if translated else f"Unexpected error: {error!r}"
        self.job_status.hold("Failed: " + self.last_error)
        if QApplication.platformName() != "offscreen":
            QMessageBox.warning(self.dialog_parent, "Strata", self.last_error)
