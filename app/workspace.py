"""What a controller may use of the window it serves, and nothing more.

The controllers (curation, slicing, versions) connect their views to the open project; they read the
shown version and the shared selection, run jobs, push undoable edits and ask the window to show an
error or another version. They depend on this protocol, not on the main window, so the window can
own them without an import cycle and a test can give them a smaller workspace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import polars as pl
    from numpy.typing import NDArray
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QWidget

    from analysis.palette import LegendEntry
    from analysis.selection import SelectionModel
    from analysis.view_frame import ViewFrame
    from analysis.workspace_state import WorkspaceState
    from app.jobs import JobRunner
    from storage.project import Project


class Workspace(Protocol):
    """The open project, the shown version and its frame, the shared selection, the job runner and
    the undo stack, and the window's ways to show things."""

    state: WorkspaceState
    jobs: JobRunner

    @property
    def project(self) -> Project | None:
        """The open project."""

    @property
    def version_id(self) -> int | None:
        """The shown version."""

    @property
    def frame(self) -> ViewFrame | None:
        """The shown version's frame."""

    @property
    def selection(self) -> SelectionModel:
        """The shared selection."""

    @property
    def undo_stack(self) -> QUndoStack:
        """The window's undo stack (Ctrl+Z)."""

    @property
    def dialog_parent(self) -> QWidget:
        """The widget dialogs are shown over."""

    def notify(self, text: str) -> None:
        """Say that something was done (status bar)."""

    def show_error(self, error: Exception) -> None:
        """Tell the user what went wrong (status bar and a message box)."""

    def show_version(self, version_id: int | None) -> None:
        """Show another version in every view."""

    def filtered_rows(self) -> list[int]:
        """The rows the table shows under its current search (``_row_id`` values)."""

    def colour_map(self, mode: str) -> None:
        """Colour the map by ``mode`` (``cluster``, ``label``, ``tag:<name>``, …)."""

    def map_colour_mode(self) -> str:
        """What the map is coloured by now."""

    def add_map_colouring(
        self,
        mode: str,
        title: str,
        values: pl.Series,
        colouring: tuple[NDArray[np.uint8], list[LegendEntry]],
        image: tuple[NDArray[np.uint8], tuple[float, float, float, float]] | None = None,
    ) -> None:
        """Offer a colouring of the map computed elsewhere (e.g. a drift report's sides) and show it."""
