"""Class rubrics: a short text per class of a dataset, read by the review queue and edited in place
(each edit in the audit log with its text before and after, so it can be undone)."""

from __future__ import annotations

from sqlalchemy import select

from storage.errors import InputError
from storage.project import Project, current_user
from storage.schema import ClassRubric, utcnow

MAX_CHARS = 2_000


def read_rubric(project: Project, dataset_id: int) -> dict[str, str]:
    """``class name`` → rubric text of a dataset (classes without a rubric are absent)."""
    with project.session() as s:
        rows = s.execute(
            select(ClassRubric.class_name, ClassRubric.text).where(ClassRubric.dataset_id == dataset_id)
        ).all()
    return {name: text for name, text in rows}


def set_rubric(project: Project, dataset_id: int, class_name: str, text: str) -> str:
    """Set the rubric of ``class_name`` (an empty ``text`` removes it); returns the text it had ("").

    Raises
    ------
    InputError
        An empty class name, or a text over :data:`MAX_CHARS` characters (a rubric is a short note).
    ProjectReadOnly, ProjectBusy, DiskFull
        When the project cannot be written; nothing changes.
    """
    name, text = class_name.strip(), text.strip()
    if not name:
        raise InputError("A rubric needs a class name.")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"The rubric of '{name}' has {len(text):,} characters; keep it under {MAX_CHARS:,} "
            "(a short note the reviewer reads at a glance)."
        )
    with project.session() as s:
        row = s.get(ClassRubric, (dataset_id, name))
        before = row.text if row is not None else ""
        if before == text:
            return before
        if row is not None and not text:
            s.delete(row)
        elif row is not None:
            row.text, row.author, row.updated_at = text, current_user(), utcnow()
        else:
            s.add(ClassRubric(dataset_id=dataset_id, class_name=name, text=text, author=current_user()))
        project.log("rubric_set", {"dataset": dataset_id, "class": name, "before": before, "after": text}, s)
    return before
