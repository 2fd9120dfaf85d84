"""The record of exports: what was written where, with its filter, row count, hash and manifest."""

from __future__ import annotations

from typing import Any

from storage.project import Project
from storage.schema import Export


def record_export(project: Project, manifest: dict[str, Any], filter_spec: dict[str, Any]) -> None:
    """Record an export (from its manifest) and log it, in one transaction."""
    output = manifest["output"]
    with project.session() as s:
        s.add(
            Export(
                filter=filter_spec,
                path=output["path"],
                format=output["format"],
                row_count=manifest["rows"],
                sha256=output["sha256"],
                manifest=manifest,
            )
        )
        project.log(
            "export", {"path": output["path"], "rows": manifest["rows"], "filter": manifest["filter"]}, s
        )
