"""The annotation table: migration 0007, writes in the version's transaction, reads in file order."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from alembic import command
from sqlalchemy import text

from storage.annotations import (
    count_annotations,
    read_annotations,
    tag_for_review,
    write_annotations,
)
from storage.errors import InputError
from storage.project import Project, _alembic_config, head_revision
from storage.tags import read_row_tags
from storage.versions import NewVersion, add_relabelled_version, add_version, get_version


def _version(project: Project, annotations: pl.DataFrame | None = None, name: str = "d") -> int:
    rows = pl.DataFrame(
        {
            "_row_id": [0, 1, 2],
            "_row_key": ["a", "b", "c"],
            "_content_hash": ["h0", "h1", "h2"],
            "t": ["x"] * 3,
        }
    )
    new = NewVersion(name, False, rows, {"t": "String"}, {}, [], "f.csv", "0" * 64, annotations=annotations)
    return add_version(project, new)[0].version_id


ANNOTATIONS = pl.DataFrame(
    {
        "row_id": [0, 0, 1, 0],
        "annotator": ["A", "B", "A", "A"],  # A labels row 0 twice: the second is a repeat
        "label": ["1", "0", "-1", "0"],
        "labelled_at": [datetime(2021, 5, 1, 12, 30), None, None, datetime(2021, 5, 2)],
    }
)


def test_annotations_round_trip_in_file_order_and_go_with_their_version(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = _version(project, ANNOTATIONS)
        other = _version(project, None, "e")
        back = read_annotations(project, version)
        assert back.schema["labelled_at"] == pl.Datetime("us")
        assert back.to_dicts() == ANNOTATIONS.to_dicts()
        assert count_annotations(project, version) == 4 and count_annotations(project, other) == 0
        assert read_annotations(project, other).height == 0
        assert write_annotations(project, other, ANNOTATIONS.head(2)) == 2
        assert write_annotations(project, other, ANNOTATIONS.tail(1), replace=True) == 1
        assert read_annotations(project, other)["label"].to_list() == ["0"]
        with pytest.raises(InputError, match="rows the version does not have"):
            write_annotations(project, other, ANNOTATIONS.with_columns(row_id=pl.lit(3)))
        with project.engine.begin() as conn:  # deleting a version deletes its annotations
            conn.execute(text("DELETE FROM dataset_version WHERE id = :v"), {"v": version})
        assert count_annotations(project, version) == 0


def test_a_failed_write_leaves_no_version_behind(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        broken = ANNOTATIONS.with_columns(label=pl.Series([None, "0", "1", "1"], dtype=pl.String))
        with pytest.raises(InputError, match="empty value"):
            _version(project, broken)
        with project.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM dataset_version")).scalar() == 0


def test_review_tags_replace_the_earlier_list(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = _version(project, ANNOTATIONS)
        tag_for_review(project, version, "annotator_disagreement", [0, 1], [0.5, 0.25], ["1", None])
        tag_for_review(project, version, "annotator_disagreement", [2], [0.75], ["0"])
        tags = read_row_tags(project, version)
        assert tags.select("row_id", "tag", "source", "score", "detail").rows() == [
            (2, "annotator_disagreement", "rule", 0.75, '{"suggested": "0", "scope": "review"}')
        ]


def test_migration_0007_goes_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "old.strata"
    with Project.create(path) as project:
        command.downgrade(_alembic_config(project.engine), "0006")
        with project.engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "annotation" not in names
    with Project.open(path) as project:  # upgraded on open
        assert project.schema_revision() == head_revision()
        assert read_annotations(project, 1).height == 0


def test_a_relabelled_version_keeps_the_annotations(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = _version(project, ANNOTATIONS)
        source = get_version(project, version)
        relabelled = add_relabelled_version(project, source, "t_corrected", "t", {0: "y"}, "review", {})
        assert read_annotations(project, relabelled).to_dicts() == ANNOTATIONS.to_dicts()
