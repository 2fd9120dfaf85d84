"""Property: an import either gives back exactly its input or fails with Strata's own error, leaving the
project byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import itertools
import math
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from storage.errors import StrataError
from storage.project import Project
from storage.readers import read_table
from storage.versions import read_rows

CHARS = st.characters(blacklist_categories=("Cc", "Cs"))
NAMES = st.text(CHARS, min_size=1, max_size=6).filter(lambda s: s.strip() == s and s not in {"id", "text"})
TEXTS = st.one_of(st.none(), st.just(""), st.text(CHARS, max_size=12), st.integers(-99, 99).map(str))
NUMBERS = st.one_of(st.none(), st.integers(-(2**40), 2**40))
FLOATS = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))


@st.composite
def tables(draw: st.DrawFn) -> tuple[pl.DataFrame, RoleMapping]:
    """A small table: ids (maybe repeated or missing), a text column, extra columns of every kind,
    and perhaps two probability columns (valid or not)."""
    n = draw(st.integers(1, 6))
    columns: dict[str, pl.Series] = {}
    with_id = draw(st.booleans())
    if with_id:
        letters = st.sampled_from(["a", "b", "c", "d", "e", "f", "g"])
        ids = draw(
            st.one_of(
                st.lists(letters, min_size=n, max_size=n, unique=True),
                st.lists(st.one_of(st.none(), letters), min_size=n, max_size=n),  # repeated or missing
            )
        )
        columns["id"] = pl.Series("id", ids, dtype=pl.String)
    columns["text"] = pl.Series("text", draw(st.lists(TEXTS, min_size=n, max_size=n)), dtype=pl.String)
    for name in draw(st.lists(NAMES, max_size=3, unique=True)):
        kind = draw(st.sampled_from([pl.String, pl.Int64, pl.Float64, pl.Boolean]))
        values = (
            st.booleans()
            if kind == pl.Boolean
            else {pl.String: TEXTS, pl.Int64: NUMBERS, pl.Float64: FLOATS}[kind]
        )
        columns[name] = pl.Series(name, draw(st.lists(values, min_size=n, max_size=n)), dtype=kind)
    proba = draw(st.booleans())
    if proba:
        valid = draw(st.booleans())
        first = draw(st.lists(st.floats(0, 1) if valid else st.floats(-0.5, 1.5), min_size=n, max_size=n))
        columns["p_x"] = pl.Series("p_x", first)
        columns["p_y"] = pl.Series("p_y", [1 - v if valid or draw(st.booleans()) else v for v in first])
    roles = RoleMapping(id="id" if with_id else None, text="text", proba_prefix="p_" if proba else None)
    return pl.DataFrame(list(columns.values())), roles


def write(frame: pl.DataFrame, path: Path) -> None:
    {"csv": frame.write_csv, "parquet": frame.write_parquet, "jsonl": frame.write_ndjson}[path.suffix[1:]](
        path
    )


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("property") / "p.strata"
    with Project.create(path) as p:
        yield p


COUNTER = itertools.count()


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=tables())
def test_import_round_trips_or_fails_cleanly(
    project: Project, tmp_path: Path, table: tuple[pl.DataFrame, RoleMapping], fmt: str
) -> None:
    frame, roles = table
    number = next(COUNTER)
    path = tmp_path / f"t{number}.{fmt}"
    write(frame, path)
    with project.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = hashlib.sha256(project.path.read_bytes()).hexdigest()
    try:
        result = import_dataset(project, path, roles, name=f"d{number}")
    except StrataError as err:
        event(f"refused: {type(err).__name__}")
        assert str(err)  # a message for the user
        with project.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert hashlib.sha256(project.path.read_bytes()).hexdigest() == before
        return
    event(f"imported {fmt}")
    # CSV carries no types: the truth is what the file says as parsed; Parquet and JSON Lines carry them.
    expected = read_table(path) if fmt == "csv" else frame
    expected = expected.drop(
        [c for c in expected.columns if c.startswith("p_")] if roles.proba_prefix else []
    )
    stored = read_rows(project, result.version_id)
    assert stored.height == expected.height
    assert [
        c for c in stored.columns if not c.startswith("_row_") and c != "_content_hash"
    ] == expected.columns
    for column in expected.columns:
        got, want = stored[column].to_list(), expected[column].to_list()
        assert all(same(g, w) for g, w in zip(got, want, strict=True)), (column, got, want)
