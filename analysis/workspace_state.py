"""The workspace's state, Qt-free: the open project, the shown version and its frame, the selection and
the version's tags, with events every view subscribes to.

Views used to be refreshed by whoever changed something, so each new path forgot one (a new tag missing
from *Colour by* until a restart, another dataset's drift report left on screen). Here a change is made
in one place and announced; each view refreshes itself from the event — napari's layer models and
their ``EventEmitter`` are the pattern (a small emitter is written here because napari's is not a
separate library).

Events (listeners get keyword arguments):

``project``  ``project`` — another project was opened (or closed: None).
``version``  ``frame``, ``dataset_changed`` — another version is shown (``frame`` None: nothing).
``tags``     ``frame`` — the shown version's tags changed (applied, removed, created, rerun).
``clusters`` ``frame`` — cluster names changed.
``review``   ``frame`` — a review decision was stored.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from analysis.selection import SelectionModel
from analysis.view_frame import ViewFrame
from storage.project import Project
from storage.versions import get_version

EVENTS = ("project", "version", "tags", "clusters", "review")
Listener = Callable[..., None]


class Events:
    """Named events with listeners, called in subscription order.

    A listener connected with ``later=True`` (a view in a hidden tab) may run after :meth:`emit`
    returns: :attr:`later`, when the application sets one, schedules it on a later turn of its event
    loop, so the window answers between the views a new version updates; without one it runs at once.
    """

    def __init__(self, names: tuple[str, ...] = EVENTS) -> None:
        self._listeners: dict[str, list[tuple[Listener, bool]]] = {name: [] for name in names}
        self.later: Callable[[Callable[[], None]], None] | None = None

    def connect(self, name: str, listener: Listener, later: bool = False) -> Callable[[], None]:
        """Call ``listener(**kwargs)`` on every ``name`` event (through :attr:`later` with ``later``);
        returns a function that disconnects it.

        Raises
        ------
        KeyError
            ``name`` is not an event of this emitter.
        """
        listeners, entry = self._listeners[name], (listener, later)
        listeners.append(entry)
        return lambda: listeners.remove(entry) if entry in listeners else None

    def emit(self, name: str, **kwargs: Any) -> None:
        """Call the listeners of ``name`` (or schedule those connected with ``later``)."""
        for listener, later in list(self._listeners[name]):
            if later and self.later is not None:
                self.later(partial(listener, **kwargs))
            else:
                listener(**kwargs)


class WorkspaceState:
    """What the window shows, as plain data; every change goes through a method that emits its event."""

    def __init__(self) -> None:
        self.project: Project | None = None
        self.version_id: int | None = None
        self.frame: ViewFrame | None = None
        self.selection = SelectionModel()
        self.events = Events()
        self._dataset_id: int | None = None

    def set_project(self, project: Project | None) -> None:
        """Open ``project`` (closing the one open before); nothing is shown until :meth:`show`."""
        if self.project is not None and self.project is not project:
            self.project.close()
        self.project = project
        self.events.emit("project", project=project)

    def show(self, frame: ViewFrame | None, version_id: int | None = None) -> None:
        """Show ``frame`` (loaded elsewhere, e.g. in a job), or nothing; clears the selection.

        ``version_id`` names the version when ``frame`` is None (a version that could not be loaded).
        """
        self.version_id = frame.version_id if frame is not None else version_id
        self.frame = frame
        dataset = (
            get_version(self.project, self.version_id).dataset_id
            if self.project is not None and self.version_id is not None
            else None
        )
        changed, self._dataset_id = dataset != self._dataset_id, dataset
        self.selection.clear(self)
        self.events.emit("version", frame=frame, dataset_changed=changed)

    def refresh_tags(self) -> None:
        """Re-read the shown version's tags into the frame and announce them."""
        if self.frame is None or self.project is None:
            return
        self.frame.reload_tags(self.project)
        self.events.emit("tags", frame=self.frame)

    def refresh_clusters(self) -> None:
        """Re-read the shown version's cluster names (both clusterings) and announce them."""
        if self.frame is None or self.project is None:
            return
        self.frame.reload_clusters(self.project)
        self.events.emit("clusters", frame=self.frame)

    def review_changed(self) -> None:
        """Announce a stored review decision."""
        self.events.emit("review", frame=self.frame)
