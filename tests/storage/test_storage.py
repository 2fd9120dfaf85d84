"""The project file: creation, migrations, refusal of foreign files, row tables and vector blobs."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.errors import ProjectError
from storage.project import Project, head_revision
from storage.rows import create_row_table, logical_type, read_row_table
from storage.schema import Base
from storage.vectors import pack, unpack


def test_new_project_is_wal_with_foreign_keys_at_head(tmp_path: Path) -> None:
    path = tmp_path / "p.strata"
    with Project.create(path) as project:
        assert project.schema_revision() == head_revision()
        with project.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with Project.open(path) as again:
        assert again.schema_revision() == head_revision()


def test_migrations_from_an_empty_file_match_the_models(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project, project.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_older_schema_is_upgraded_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.strata"
    with Project.create(path) as project:
        from alembic import command

        from storage.project import _alembic_config

        command.downgrade(_alembic_config(project.engine), "base")
        assert project.schema_revision() is None
    with Project.open(path) as project:
        assert project.schema_revision() == head_revision()


def test_refuses_missing_foreign_and_newer_files(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        Project.open(tmp_path / "none.strata")
    text = tmp_path / "notes.strata"
    text.write_text("hello")
    with pytest.raises(ProjectError, match="not an SQLite database"):
        Project.open(text)
    other = tmp_path / "other.strata"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ProjectError, match="not a Strata project"):
        Project.open(other)
    newer = tmp_path / "newer.strata"
    Project.create(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="newer Strata"):
        Project.open(newer)
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(newer)


def test_row_table_round_trip_keeps_types_and_nulls(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "n": [None, 2, 3],
            "x": [None, 0.5, 1.5],
            "ok": [None, True, False],
            "day": [None, date(2015, 2, 17), date(2015, 2, 24)],
            "at": [None, datetime(2015, 2, 17, 9, 30), datetime(2015, 2, 24, 23, 59)],
            "text": [None, "caf\u00e9 \u2603", 'quote "x"'],
            "tags": [None, ["a"], ["b", "c"]],
        }
    )
    types = {c: logical_type(t) for c, t in frame.schema.items()}
    assert types == {
        "n": "Int64",
        "x": "Float64",
        "ok": "Boolean",
        "day": "Date",
        "at": "Datetime",
        "text": "String",
        "tags": "Json",
    }
    rows = frame.with_columns(
        _row_id=pl.int_range(3, dtype=pl.Int64), _row_key=pl.lit("k"), _content_hash=pl.lit("h")
    )
    with Project.create(tmp_path / "p.strata") as project:
        with project.engine.begin() as conn:
            create_row_table(conn, "rows_x", rows, types)
        back = read_row_table(project.engine, "rows_x", types)
    assert back.drop("tags").equals(rows.select(back.columns).drop("tags"))
    assert back["tags"].to_list() == [None, '["a"]', '["b", "c"]']


def test_vector_blobs_round_trip() -> None:
    rng = np.random.default_rng(0)
    for dtype in ("float32", "float16", "int32"):
        matrix = (rng.normal(size=(7, 5)) * 100).astype(dtype)
        assert np.array_equal(unpack(pack(matrix), dtype, 5), matrix)
