"""Contamination on real GSM8K problems: copies and light edits of test problems planted in a training
file are each found with their kind and their source row, clean training problems are not flagged,
and the tags a check writes are read back, replaced by a rerun and kept apart from other checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.contamination import (
    exact_matches,
    find_matches,
    ngram_matches,
    normalise,
)
from analysis.labeling.contamination_check import (
    TAG,
    ContaminationSpec,
    check_contamination,
    read_contamination,
    tag_contamination,
)
from analysis.labeling.gold_changes import mark_gold_set
from analysis.pipeline.runner import run_pipeline
from analysis.slices.row_sets import resolve_row_set, row_set_choices
from storage.errors import InputError, StageInputError
from storage.project import Project
from storage.tags import read_row_tags
from tests.analysis.labeling.gsm8k_plants import EXPECTED, planted_files

ROLES = RoleMapping(id="id", text="question")


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame]:
    """300 GSM8K test problems and a training file of 600 real training problems plus 100 planted
    rows (20 of each kind), both embedded."""
    folder = tmp_path_factory.mktemp("gsm8k")
    test_path, train_path, plants = planted_files(folder)
    path = folder / "p.strata"
    with Project.create(path) as project:
        import_dataset(project, test_path, ROLES, name="gsm8k_test")
        import_dataset(project, train_path, ROLES, name="gsm8k_train")
        for version in (1, 2):
            run_pipeline(project, version, stages=("embed",))
    return path, plants


@pytest.fixture
def planted(master: tuple[Path, pl.DataFrame], tmp_path: Path) -> tuple[Project, pl.DataFrame]:
    path = tmp_path / "p.strata"
    shutil.copy(master[0], path)
    project = Project.open(path)
    yield project, master[1]
    project.close()


def figures(pairs: pl.DataFrame, plants: pl.DataFrame, train_rows: int) -> pl.DataFrame:
    """Per planted kind: planted, found (any kind, the right source row), named with the expected kind."""
    joined = plants.join(pairs.rename({"row_key": "id"}), on="id", how="left")
    return (
        joined.with_columns(
            found=pl.col("match_key") == pl.col("of"),
            named=(pl.col("kind") == pl.col("plant").replace_strict(EXPECTED))
            & (pl.col("match_key") == pl.col("of")),
        )
        .group_by("plant", maintain_order=True)
        .agg(planted=pl.len(), found=pl.col("found").sum(), named=pl.col("named").sum())
    )


def test_planted_copies_are_found_with_their_kind_and_clean_rows_are_not(
    planted: tuple[Project, pl.DataFrame],
) -> None:
    project, plants = planted
    check = resolve_row_set(project, "gsm8k_train")
    against = resolve_row_set(project, "gsm8k_test:1")
    result = check_contamination(project, check, against)
    assert (result.rows_checked, result.rows_against, result.same_items) == (700, 300, 0)
    table = figures(result.pairs, plants, 700)
    print("\n" + str(table))
    by_kind = {row["plant"]: row for row in table.iter_rows(named=True)}
    for kind in ("copy", "format", "embedded", "reword"):
        assert by_kind[kind]["named"] == by_kind[kind]["planted"] == 20, kind
    # a changed number moves a few problems' embeddings just below 0.95; each is still found by its
    # shared 13-word runs
    assert by_kind["number"]["found"] == 20 and by_kind["number"]["named"] >= 18
    false = result.pairs.filter(~pl.col("row_key").str.starts_with("plant-"))
    assert false.height == 0, false.select("row_key", "kind", "text", "match_text")
    exact = result.pairs.filter(pl.col("kind") == "exact")
    assert (exact["score"] == 1.0).all() and (exact["kinds"].str.starts_with("exact")).all()
    near = result.pairs.filter(pl.col("kind") == "near")
    assert (near["similarity"] >= 0.95).all() and (near["score"] == near["similarity"]).all()
    ngram = result.pairs.filter(pl.col("kind") == "ngram")
    assert (ngram["similarity"] < 0.95).all() and (ngram["overlap"] > 0).all()
    assert result.counts() == {
        "exact": 40,
        "near": 40 - (20 - by_kind["number"]["named"]),
        "ngram": result.pairs.height - 80 + (20 - by_kind["number"]["named"]),
    }

    assert tag_contamination(project, result) == result.pairs.height == 100
    stored = read_contamination(project, check.version_id)
    figures_of = ["score", "similarity", "overlap"]
    assert stored.drop(figures_of).equals(result.pairs.drop(figures_of))
    for column in figures_of:
        assert np.allclose(stored[column], result.pairs[column], atol=1e-6, equal_nan=True), column
    strict = check_contamination(project, check, against, ContaminationSpec(threshold=0.99))
    tag_contamination(project, strict)
    tags = read_row_tags(project, check.version_id).filter(pl.col("tag") == TAG)
    assert tags.height == strict.pairs.height < result.pairs.height  # the rerun replaced the first check


def test_synthetic_rows_against_a_gold_set(planted: tuple[Project, pl.DataFrame]) -> None:
    project, _ = planted
    _, notes = mark_gold_set(
        project, "test_gold", resolve_row_set(project, "gsm8k_test:1"), note="held-out problems"
    )
    assert "no label column" in notes[0]
    check = resolve_row_set(project, "gsm8k_train", where="source = 'synthetic'")
    assert check.rows.height == 100 and check.scope == "gsm8k_train:1 where source = 'synthetic'"
    against = resolve_row_set(project, "gold:test_gold")
    assert against.rows.height == 300 and against.title == "gold set 'test_gold'"
    on_gold = check_contamination(project, check, against)
    on_split = check_contamination(project, check, resolve_row_set(project, "gsm8k_test"))
    assert on_gold.pairs.drop("against").equals(on_split.pairs.drop("against"))
    tag_contamination(project, on_gold)
    tag_contamination(project, on_split)
    stored = read_contamination(project, check.version_id)
    assert stored.height == 2 * on_gold.pairs.height  # each check keeps its own tags
    assert set(stored["against"]) == {"gold set 'test_gold'", "gsm8k_test:1"}
    assert row_set_choices(project) == ["gold:test_gold", "gsm8k_train:1", "gsm8k_test:1"]

    itself = check_contamination(project, resolve_row_set(project, "gsm8k_test"), against)
    assert (itself.same_items, itself.rows_checked, itself.pairs.height) == (300, 0, 0)
    assert "left out" in itself.notes[0]


def test_user_errors_say_what_to_do(planted: tuple[Project, pl.DataFrame], tmp_path: Path) -> None:
    project, _ = planted
    with pytest.raises(InputError, match=r"No dataset 'nope'.*datasets: gsm8k_test, gsm8k_train"):
        resolve_row_set(project, "nope")
    with pytest.raises(InputError, match="has no version 7; versions: 1"):
        resolve_row_set(project, "gsm8k_test:7")
    with pytest.raises(InputError, match="No slice named 'hard'"):
        resolve_row_set(project, "gsm8k_test:hard")
    with pytest.raises(InputError, match="No gold set 'x'"):
        resolve_row_set(project, "gold:x")
    with pytest.raises(InputError, match="names too much"):
        resolve_row_set(project, "gsm8k_test:1:a:b")
    pl.DataFrame(
        {"id": ["n0", "n1"], "question": ["A new problem with 3 apples.", "Another one?"]}
    ).write_csv(tmp_path / "new.csv")
    import_dataset(project, tmp_path / "new.csv", ROLES, name="fresh")
    fresh, test = resolve_row_set(project, "fresh"), resolve_row_set(project, "gsm8k_test")
    with pytest.raises(
        StageInputError, match=r"fresh:1 has no embeddings yet.*strata run .* --dataset fresh:1"
    ):
        check_contamination(project, fresh, test)
    with pytest.raises(StageInputError, match=r"fresh:1 has texts with no embedding.*--dataset fresh:1"):
        check_contamination(project, test, fresh)
    quick = check_contamination(project, fresh, test, ContaminationSpec(kinds=("exact", "ngram")))
    assert quick.pairs.height == 0 and quick.notes == ["near copies were not looked for"]


def test_matching_rules_on_small_cases() -> None:
    assert normalise("  Janet’s  DUCKS lay 16 eggs... per day!? ") == "janets ducks lay 16 eggs per day"
    assert normalise("¿Qué? «Sí» — 3,5 $") == "qué sí 35"
    assert exact_matches(["a b", "", "c"], ["x", "c", "a b", ""]).tolist() == [2, -1, 1]
    words = [f"w{i}" for i in range(20)]
    source = " ".join(words)
    checked = [
        " ".join(["pre", *words[3:16], "post"]),  # 13 words in a row: one shared 13-gram
        " ".join(["pre", *words[3:15], "post"]),  # 12 in a row: none
        " ".join(words[:12]),  # shorter than 13 words
    ]
    match, share = ngram_matches(checked, ["other text entirely", source], 13)
    assert match.tolist() == [1, -1, -1] and share[0] == pytest.approx(1 / 3) and share[1:].tolist() == [0, 0]
    assert ngram_matches(checked[1:], [source], 13)[0].tolist() == [-1, -1]  # no overlap anywhere
    # the n-grams of one text never run into the next
    assert ngram_matches([" ".join(words[8:21])], [" ".join(words[:10]), " ".join(words[10:])], 13)[
        0
    ].tolist() == [-1]
    vectors = np.eye(3, dtype=np.float32)
    tilted = np.array([[0.96, 0.28, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    found = find_matches(["x one", "y two"], ["a", "b", "c"], tilted, vectors)
    assert found.kind.tolist() == ["near", "near"] and found.match.tolist() == [0, 2]
    assert found.similarity.tolist() == pytest.approx([0.96, 1.0])
    with pytest.raises(ValueError, match="Unknown contamination kinds"):
        find_matches(["a"], ["b"], kinds=("fuzzy",))
    with pytest.raises(ValueError, match="give the vectors"):
        find_matches(["a"], ["b"])
