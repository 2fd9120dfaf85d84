"""A version's map before its whole frame: coordinates and the one column the map is first coloured by.

Reading a version's rows, predictions and clusters out of SQLite costs about 7 s per million rows on
this machine (Python objects row by row; see ``storage.rows.read_query``), while its map coordinates
are one BLOB (~30 ms) and its map clustering one query (~0.7 s). The window loads this preview first,
draws it, and fills the table and the other views when :func:`analysis.view_frame.load_view_frame`
has the rest (it reuses the preview's coordinates and clusters instead of reading them again).
"""

from __future__ import annotations

import polars as pl

from analysis.view_frame import ViewFrame, project_class_order
from storage.project import Project
from storage.runs import list_runs
from storage.stage_outputs import read_clusters, read_coords
from storage.versions import get_version, read_rows

PREVIEW_ROWS = 100_000  # versions of this many rows or more are shown map first (frame > 1 s)


def preview_colour_mode(frame: ViewFrame) -> str:
    """The colouring a version's map is first shown in: ``cluster`` when it has a map clustering,
    else ``label`` (one colour when there is no label either)."""
    return "cluster" if frame.clusters else "label"


def load_map_preview(project: Project, version_id: int, min_rows: int = 0) -> ViewFrame | None:
    """The part of a version's :class:`ViewFrame` the map is first drawn from.

    Parameters
    ----------
    project : storage.project.Project
    version_id : int
    min_rows : int
        Versions of fewer rows get no preview (their whole frame comes soon enough; the window
        passes :data:`PREVIEW_ROWS`).

    Returns
    -------
    ViewFrame or None
        None when the version has no map or fewer than ``min_rows`` rows. Otherwise a frame whose
        ``rows`` hold ``_row_id`` and only the column of its first colouring (``cluster`` when
        clustered, else the label column, else nothing), whose ``roles`` name only what ``rows``
        holds, with ``coords``, ``clusters``, ``label_names`` and ``class_order`` as the full frame
        will have them.
    """
    version = get_version(project, version_id)
    coords = read_coords(project, version_id) if version.rows >= min_rows else None
    if coords is None:
        return None
    clusters, labels = read_clusters(project, version_id)
    roles: dict[str, object] = {}
    label = version.roles.get("label")
    if labels is not None:
        rows = pl.DataFrame({"_row_id": pl.int_range(len(labels), eager=True), "cluster": labels})
    elif isinstance(label, str):
        rows = read_rows(project, version_id, [label]).select("_row_id", label)
        roles["label"] = label
    else:
        rows = pl.DataFrame({"_row_id": pl.int_range(version.rows, eager=True)})
    runs = list_runs(project, version_id)
    return ViewFrame(
        version_id=version_id,
        rows=rows,
        roles=roles,
        label_names=version.label_names,
        coords=coords,
        clusters=clusters,
        class_order=project_class_order(project, runs[-1].label_names if runs else ()),
    )
