"""The PII scan of a version made at import: per column, how many values match each kind."""

from __future__ import annotations

from typing import Any

from storage.project import Project
from storage.schema import PiiScan


def write_pii_scan(project: Project, version_id: int, counts: dict[str, dict[str, int]], rows: int) -> None:
    """Store (or replace) a version's scan: ``counts[column][kind]`` = values of that kind; ``rows``
    = rows holding any."""
    with project.session() as s:
        existing = s.get(PiiScan, version_id)
        if existing is not None:
            s.delete(existing)
            s.flush()
        s.add(PiiScan(version_id=version_id, counts=counts, rows=rows))


def read_pii_scan(project: Project, version_id: int) -> dict[str, Any] | None:
    """``{"counts": {column: {kind: n}}, "rows": n, "scanned_at": iso}``, or None if never scanned."""
    with project.session() as s:
        scan = s.get(PiiScan, version_id)
        if scan is None:
            return None
        return {"counts": scan.counts, "rows": scan.rows, "scanned_at": scan.scanned_at.isoformat()}
