"""Several annotators' labels on import, wide and long, on ConvAbuse with its real quirks."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from analysis.ingest.annotations import AnnotationSpec, prepare_annotations
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from storage.annotations import read_annotations
from storage.errors import InputError
from storage.project import Project
from storage.readers import read_table
from storage.versions import get_version, list_versions, read_rows

SCALE = ("1", "0", "-1", "-2", "-3")
WIDE = AnnotationSpec(columns=("Annotator?",), one_hot="is_abuse")
LONG_ID = "conv_id,prev_agent,prev_user,agent,user"


@pytest.fixture(scope="module")
def convabuse(data_dir: Path) -> Path:
    return data_dir / "convabuse"


def raw_wide_labels(path: Path) -> list[tuple[int, str, str]]:
    """(row, annotator, label) of every annotation, repeats included, read with the csv module."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, out = rows[0], []
    for r, row in enumerate(rows[1:]):
        for a in range(1, 9):
            cells = [row[header.index(f"Annotator{a}_is_abuse.{v}")] for v in SCALE]
            if not cells[0]:
                continue
            for k, bits in enumerate(zip(*(c.split(",") for c in cells), strict=True)):
                chosen = [v for v, b in zip(SCALE, bits, strict=True) if b.strip() == "1"]
                assert len(chosen) == 1, (r, a, k)
                out.append((r, f"Annotator{a}", chosen[0]))
    return out


def test_a_header_naming_a_column_twice_reads_as_pandas_reads_it(convabuse: Path) -> None:
    # ConvAbuse names three columns Annotator6_transphobic (a typo for annotators 7 and 8)
    path = convabuse / "ConvAbuseEMNLPtrain.csv"
    assert read_table(path).columns == list(pd.read_csv(path, nrows=1).columns)


def test_wide_convabuse_one_label_per_annotator_with_repeats_in_file_order(
    tmp_path: Path, convabuse: Path
) -> None:
    path = convabuse / "ConvAbuseEMNLPtrain.csv"
    with Project.create(tmp_path / "p.strata") as project:
        result = import_dataset(project, path, RoleMapping(id="example_id", text="user"), annotation=WIDE)
        stored = read_annotations(project, result.version_id)
        version = get_version(project, result.version_id)
        rows = read_rows(project, result.version_id, ["Annotator1", "Annotator6_transphobic.2"])
    expected = raw_wide_labels(path)
    assert result.rows == 2501 and result.annotations == len(expected) == stored.height
    assert sorted(stored.select("row_id", "annotator", "label").rows()) == sorted(expected)
    # the repeats keep their order: a cell "1, 0" is a 1 then a 0 (the first is the row's column)
    assert stored.select("row_id", "annotator", "label").rows() == [
        r for r in sorted(expected, key=lambda t: (t[0], t[1]))
    ]
    repeats = len(expected) - len({(r, a) for r, a, _ in expected})
    assert version.roles["annotation"] == {
        "shape": "wide",
        "annotators": [f"Annotator{a}" for a in range(1, 9)],
        "one_hot": "is_abuse",
        "scale": list(SCALE),
        "repeats": repeats,
    }
    assert version.roles["annotators"] == version.roles["annotation"]["annotators"]
    assert any(f"{repeats} repeat annotation(s)" in n for n in result.notes)
    firsts = {(r, a): lab for r, a, lab in reversed(expected)}
    column = rows["Annotator1"].to_list()
    assert all(column[r] == lab for (r, a), lab in firsts.items() if a == "Annotator1")
    assert "Annotator6_transphobic.2" in rows.columns


def test_long_convabuse_grouped_into_items_by_several_columns(tmp_path: Path, convabuse: Path) -> None:
    path = convabuse / "ConvAbuseEMNLPfull.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    roles = RoleMapping(id=LONG_ID, text="user")
    with Project.create(tmp_path / "p.strata") as project:
        result = import_dataset(
            project, path, roles, annotation=AnnotationSpec(annotator="annotator_id", one_hot="is_abuse")
        )
        stored = read_annotations(project, result.version_id)
        rows = read_rows(project, result.version_id)
        version = get_version(project, result.version_id)
    items = raw.drop_duplicates(LONG_ID.split(","))
    assert result.rows == len(items) == 4185
    assert stored.height == len(raw) == 12768
    assert Counter(stored["annotator"].to_list()) == Counter(raw["annotator_id"])
    # every annotation is the label of its own row of the file
    one_hot = raw[[f"is_abuse.{v}" for v in SCALE]].to_numpy() == "1"
    assert stored["label"].to_list() == [SCALE[i] for i in one_hot.argmax(axis=1)]
    # the item's label is its annotators' plurality vote (ties aside; repeats do not vote again)
    firsts = stored.unique(["row_id", "annotator"], keep="first", maintain_order=True)
    votes = firsts.group_by("row_id", "label").len().sort(["row_id", "len"], descending=[False, True])
    ranked = votes.group_by("row_id", maintain_order=True).agg(pl.col("label").first(), pl.col("len").head(2))
    clear = ranked.filter(
        (pl.col("len").list.len() == 1)
        | (pl.col("len").list.get(0) > pl.col("len").list.get(1, null_on_oob=True).fill_null(0))
    )
    by_row = dict(zip(rows["_row_id"], rows["is_abuse"], strict=True))
    assert clear.height > 3800
    assert all(by_row[r] == label for r, label in clear.select("row_id", "label").rows())
    assert version.roles["id"] == "item_id" and version.roles["label"] == "is_abuse"
    assert version.roles["annotation"]["item"] == LONG_ID.split(",")
    # columns that are the annotation's own (its number, its answers) are not kept on the items
    assert "example_no" not in rows.columns and "annotator_id" not in rows.columns
    assert {"conv_id", "user", "bot", "is_abuse"} <= set(rows.columns)
    assert any("example_no" in n for n in result.notes)


@pytest.mark.parametrize(
    ("roles", "spec", "message"),
    [
        (
            RoleMapping(id="conv_id", text="user"),
            AnnotationSpec(annotator="annotator_id", one_hot="is_abuse"),
            r"have rows with different texts .* --id conv_id,user",
        ),
        (RoleMapping(text="user"), AnnotationSpec(annotator="annotator_id"), "needs --label"),
        (
            RoleMapping(),
            AnnotationSpec(annotator="annotator_id", one_hot="is_abuse"),
            "groups rows into items",
        ),
        (
            RoleMapping(id=LONG_ID, text="user"),
            AnnotationSpec(columns=("a",), annotator="annotator_id"),
            "one shape",
        ),
        (
            RoleMapping(id=LONG_ID),
            AnnotationSpec(annotator="rater", one_hot="is_abuse"),
            r"\['rater'\] not found",
        ),
        (RoleMapping(), AnnotationSpec(one_hot="abusive"), "no one-hot columns named 'abusive"),
    ],
)
def test_quirks_of_the_long_file_give_clear_messages(
    tmp_path: Path, convabuse: Path, roles: RoleMapping, spec: AnnotationSpec, message: str
) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        with pytest.raises(InputError, match=message):
            import_dataset(project, convabuse / "ConvAbuseEMNLPfull.csv", roles, annotation=spec)
        assert list_versions(project) == []


def cell(df: pl.DataFrame, column: str, row: int, value: str | None) -> pl.DataFrame:
    """``df`` with one cell changed."""
    return df.with_columns(df[column].clone().scatter(row, value))


def test_quirks_of_the_wide_file_give_clear_messages(convabuse: Path) -> None:
    df = read_table(convabuse / "ConvAbuseEMNLPtrain.csv").head(50)
    roles = RoleMapping(id="example_id", text="user")
    with pytest.raises(InputError, match=r"'Annotator9' not found\. Columns like it: Annotator8"):
        prepare_annotations(
            df, roles, AnnotationSpec(columns=("Annotator1", "Annotator9"), one_hot="is_abuse"), "f"
        )
    with pytest.raises(InputError, match="at least two annotators"):
        prepare_annotations(df, roles, AnnotationSpec(columns=("Annotator1",), one_hot="is_abuse"), "f")
    with pytest.raises(InputError, match="matches no column"):
        prepare_annotations(df, roles, AnnotationSpec(columns=("Rater*",), one_hot="is_abuse"), "f")
    labelled = df["Annotator2_is_abuse.1"].is_not_null().arg_true()[0]
    two = cell(cell(df, "Annotator2_is_abuse.0", labelled, "1"), "Annotator2_is_abuse.1", labelled, "1")
    with pytest.raises(InputError, match=rf"row {labelled + 1}: 'Annotator2' has several .* multi-label"):
        prepare_annotations(two, roles, WIDE, "f")
    odd = cell(df, "Annotator2_is_abuse.1", labelled, "yes")
    with pytest.raises(InputError, match=r"'Annotator2_is_abuse.1' is not one-hot: .* 'yes'"):
        prepare_annotations(odd, roles, WIDE, "f")
    half = cell(df, "Annotator2_is_abuse.-3", labelled, None)
    with pytest.raises(InputError, match="partly empty"):
        prepare_annotations(half, roles, WIDE, "f")
    blank = cell(df, "Annotator2_is_abuse.1", labelled, "0")
    prepared = prepare_annotations(blank, roles, WIDE, "f")
    assert any("1 annotation(s) with no one-hot column at 1 left out" in n for n in prepared.notes)
