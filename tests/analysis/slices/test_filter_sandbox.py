"""The filter sandbox: a slice or export filter reaches the version's columns and nothing else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.slices.filters import evaluate
from analysis.slices.sandbox import MAX_FILTER_CHARS, sanitize_where
from app.cli import main
from storage.errors import InputError
from storage.project import Project

SECRET = Path("/etc/hostname")

HOSTILE = [
    f"text IN (SELECT column_1 FROM read_csv('{SECRET}'))",
    f"1 IN (SELECT 1 FROM read_csv('{SECRET}'))",
    f"text IN (SELECT * FROM read_parquet('{SECRET}'))",
    f"text IN (SELECT * FROM read_ndjson('{SECRET}'))",
    f"read_csv('{SECRET}') IS NOT NULL",
    "EXISTS (SELECT 1 FROM self)",
    "category = (SELECT max(category) FROM self)",
    "category = 'a' UNION SELECT _row_key FROM self",
    "1 = 1; DROP TABLE self",
    "category = 'a'; SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH DATABASE '/tmp/x.db' AS x",
    "category = 'a' -- AND secret",
    "category = 'a' /* hidden */",
    "load_extension('/tmp/evil.so') = 1",
    "pg_read_file('/etc/passwd') = 'x'",
    "self.category = 'card_arrival'",
    "other.category = 'card_arrival'",
    "category IN (VALUES ('a'))",
    "(" * 2000 + "1 = 1" + ")" * 2000,
    "category = '" + "x" * (MAX_FILTER_CHARS + 10) + "'",
]


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_row_key": ["a", "b", "c"],
            "category": ["card_arrival", "it's", "top_up"],
            "text": ["where is my card", "b", "top me up"],
            "confidence": [0.2, 0.9, 0.5],
            '"quoted"': [1, 2, 3],
        }
    )


@pytest.mark.parametrize("where", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_filters_are_refused(table: pl.DataFrame, where: str) -> None:
    with pytest.raises(InputError) as raised:
        evaluate(table, {"where": where})
    message = str(raised.value)
    assert "Not allowed in a filter" in message or "not one SQL condition" in message
    assert "Columns: category, text, confidence" in message
    if SECRET.exists():
        assert SECRET.read_text().strip() not in message.replace(str(SECRET), "")


@pytest.mark.parametrize(
    ("where", "rows"),
    [
        ("category = 'card_arrival' AND confidence < 0.5", [0]),
        ("category = 'it''s'", [1]),
        ("text ILIKE '%CARD%' OR confidence BETWEEN 0.45 AND 0.55", [0, 2]),
        ("lower(text) LIKE 'top%'", [2]),
        ("regexp_like(text, '^wh')", [0]),
        ("text ~ 'me up$'", [2]),
        ('"""quoted""" >= 2 AND NOT category IN (\'top_up\')', [1]),
        ("CASE WHEN confidence > 0.8 THEN TRUE ELSE FALSE END", [1]),
        ("coalesce(length(text), 0) > 5 AND abs(round(confidence, 1) - 0.5) < 0.01", [2]),
    ],
)
def test_ordinary_filters_still_work(table: pl.DataFrame, where: str, rows: list[int]) -> None:
    assert np.flatnonzero(evaluate(table, {"where": where})).tolist() == rows
    assert "--" not in sanitize_where(where)


def test_the_command_line_refuses_a_file_reading_filter(
    tmp_path: Path, banking_small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping

    path = tmp_path / "p.strata"
    with Project.create(path) as p:
        import_dataset(p, banking_small, RoleMapping(id="id", text="text", label="category"), name="bank")
    out = tmp_path / "x.csv"
    assert main(["export", str(path), "--where", HOSTILE[0], "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Not allowed in a filter: a query or table" in err
    assert not out.exists()
