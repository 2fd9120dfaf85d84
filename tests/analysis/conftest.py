"""Fixtures of the governance and report tests: two versions of real BANKING77 rows."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.gold_changes import mark_gold_set
from analysis.slices.row_sets import resolve_row_set
from storage.approvals import record_approval
from storage.project import Project


@pytest.fixture
def two_versions(tmp_path: Path, banking_small: Path) -> tuple[Path, pl.DataFrame]:
    """bank:1 = 600 BANKING77 rows (approved, its labels frozen as the gold set 'gold'); bank:2 = the
    same rows with the first 150 relabelled 'card_arrival' and every row of 'top_up_failed' dropped."""
    rows = pl.read_csv(banking_small)
    edited = rows.with_columns(
        category=pl.when(pl.int_range(pl.len()) < 150).then(pl.lit("card_arrival")).otherwise("category")
    ).filter(pl.col("category") != "top_up_failed")
    edited.write_csv(tmp_path / "v2.csv")
    path = tmp_path / "p.strata"
    roles = RoleMapping(id="id", text="text", label="category")
    with Project.create(path) as project:
        import_dataset(project, banking_small, roles, name="bank")
        mark_gold_set(project, "gold", resolve_row_set(project, "bank:1"))
        record_approval(project, 1, "approve", "first release")
        import_dataset(project, tmp_path / "v2.csv", roles, version_of="bank")
    return path, edited
