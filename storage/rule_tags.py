"""Rule tags with a detail per row, written by a check that can be rerun (contamination against a
reference set): a rerun replaces the rows that same check tagged before and nothing else.

A check is told apart by one key of the detail (``scope``): rule tags of the tag whose detail holds
another scope, and every human or automatic tag, are left alone. The pipeline's tag run replaces only
automatic tags (:func:`storage.tags.replace_auto_tags`), so these survive it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from storage.errors import InputError
from storage.project import Project, current_user
from storage.rows import execute_many
from storage.schema import Tag


def replace_rule_tags(
    project: Project,
    version_id: int,
    tag: str,
    scope: str,
    rows: Sequence[int] | NDArray[np.int64],
    scores: Sequence[float] | NDArray[np.float64],
    details: Sequence[dict[str, Any]],
    *,
    colour: str,
    description: str,
    kind: str = "error_mode",
    note: str = "",
) -> int:
    """Tag rows of a version with ``tag`` (source ``rule``), replacing what the same check tagged before.

    Parameters
    ----------
    version_id : int
        The version whose rows are tagged.
    tag : str
        The tag; created with ``colour``, ``description`` and ``kind`` when missing.
    scope : str
        What the check ran against (e.g. ``gold:eval``); stored in each detail as ``scope``. The
        version's earlier rule tags of ``tag`` with this scope are deleted first.
    rows : sequence of int
        ``_row_id`` values, length r (r may be 0: the check found nothing, and its old tags go).
    scores : sequence of float
        Length r.
    details : sequence of dict
        Length r, JSON-ready: what matched and how.
    note : str
        Kept with each row tag.

    Returns
    -------
    int
        The number of rows tagged.

    Raises
    ------
    InputError
        When the sequences differ in length.
    """
    if not len(rows) == len(scores) == len(details):
        raise InputError("Rows, scores and details must be as many.")
    with project.session() as s:
        tag_id = s.scalar(select(Tag.id).where(Tag.name == tag))
        if tag_id is None:
            created = Tag(name=tag, colour=colour, description=description, kind=kind)
            s.add(created)
            s.flush()
            tag_id = created.id
        conn = s.connection()
        conn.exec_driver_sql(
            "DELETE FROM row_tag WHERE version_id = ? AND tag_id = ? AND source = 'rule' "
            "AND json_extract(detail, '$.scope') = ?",
            (int(version_id), int(tag_id), scope),
        )
        author = current_user()
        execute_many(
            conn,
            "INSERT INTO row_tag (version_id, row_id, tag_id, source, score, author, note, detail, "
            "created_at) VALUES (?, ?, ?, 'rule', ?, ?, ?, ?, CURRENT_TIMESTAMP)",
            [
                (
                    int(version_id),
                    int(r),
                    int(tag_id),
                    float(sc),
                    author,
                    note,
                    json.dumps(d | {"scope": scope}),
                )
                for r, sc, d in zip(rows, scores, details, strict=True)
            ],
        )
        project.log("rule_tags", {"version": version_id, "tag": tag, "scope": scope, "rows": len(rows)}, s)
        return len(rows)
