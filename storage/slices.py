"""Saved slices: a name and a filter (``{"where": SQL or None, "row_keys": [...] or None}``).

Checking that a filter is allowed and runs is the caller's job (:mod:`analysis.slices.filters`);
this module only stores what it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from storage.errors import InputError
from storage.project import Project
from storage.schema import Slice


def write_slice(project: Project, name: str, filter_spec: dict[str, Any], description: str) -> None:
    """Store (or replace) the slice ``name``; ``description`` (the filter in words) goes to the audit log."""
    with project.session() as s:
        found = s.scalar(select(Slice).where(Slice.name == name))
        if found is None:
            s.add(Slice(name=name, filter=filter_spec))
        else:
            found.filter = filter_spec
        project.log("save_slice", {"slice": name, "filter": description}, s)


def remove_slice(
    project: Project, name: str, describe: Callable[[dict[str, Any]], str] = str
) -> dict[str, Any]:
    """Delete the slice ``name`` and return its filter (so an undo can put it back); ``describe`` puts
    the filter in words for the audit log.

    Raises
    ------
    InputError
        When no slice has that name; the message lists the saved ones.
    """
    with project.session() as s:
        found = s.scalar(select(Slice).where(Slice.name == name))
        if found is None:
            names = ", ".join(s.scalars(select(Slice.name).order_by(Slice.name))) or "none"
            raise InputError(f"No slice named '{name}'; saved slices: {names}.")
        spec = dict(found.filter)
        s.delete(found)
        project.log("delete_slice", {"slice": name, "filter": describe(spec)}, s)
    return spec


def read_slices(project: Project) -> dict[str, dict[str, Any]]:
    """Saved slices: name → filter, by name."""
    with project.session() as s:
        return {sl.name: dict(sl.filter) for sl in s.scalars(select(Slice).order_by(Slice.name))}
