"""Store a version's PII scan: per-column counts, and the tag ``pii`` (source ``rule``) on its rows."""

from __future__ import annotations

import polars as pl

from analysis.pii import scan_frame
from storage.pii_scans import write_pii_scan
from storage.project import Project
from storage.rule_tags import replace_rule_tags

TAG = "pii"
TAG_COLOUR = "#b15928"
TAG_DESCRIPTION = "Holds personal data by pattern: e-mail, phone, IBAN, card number or IP address."


def scan_version(project: Project, version_id: int, rows: pl.DataFrame) -> str | None:
    """Scan a version's string columns, store the counts and tag the rows that hold PII.

    Parameters
    ----------
    rows : polars.DataFrame
        The version's rows in ``_row_id`` order (the frame just imported).

    Returns
    -------
    str or None
        A note for the user when PII was found ("PII by pattern in 12 rows …"), else None.
    """
    result = scan_frame(rows)
    write_pii_scan(project, version_id, result.counts, len(result.row_kinds))
    positions = result.rows
    replace_rule_tags(
        project,
        version_id,
        TAG,
        "pii_scan",
        positions,
        [float(len(result.row_kinds[int(r)])) for r in positions],
        [{"scope": "pii_scan", "kinds": sorted(result.row_kinds[int(r)])} for r in positions],
        colour=TAG_COLOUR,
        description=TAG_DESCRIPTION,
        note="PII scan at import",
    )
    if not positions.size:
        return None
    found = "; ".join(
        f"{column}: " + ", ".join(f"{kind} {n:,}" for kind, n in kinds.items())
        for column, kinds in result.counts.items()
    )
    return (
        f"PII by pattern in {positions.size:,} rows ({found}); they are tagged '{TAG}'. Export can redact it "
        "(--redact-pii)"
    )
