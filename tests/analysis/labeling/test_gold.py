"""Gold sets on real BANKING77 rows: a slice frozen as gold, a later version with planted changes
(relabelled, edited and dropped rows) found as violations and nothing else, every run (a classifier
and a probe) scored on the gold rows, and the approved changes that move the gold set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.gold import freeze_rows, score_against_gold
from analysis.labeling.gold_changes import accept_from_version, mark_gold_set, relabel_gold, remove_from_gold
from analysis.labeling.gold_report import gold_report
from analysis.slices.filters import save_slice, version_table
from analysis.slices.row_sets import resolve_row_set
from analysis.stats import wilson_interval
from storage.errors import InputError
from storage.gold_approvals import read_approvals
from storage.gold_sets import get_gold_set, read_gold_rows
from storage.project import Project
from storage.runs import NewRun, add_run

ROLES = RoleMapping(id="id", text="text", label="category")
WHERE = "category LIKE 'card%'"


def _run(name: str, labels: list[str], kind: str, flip_every: int) -> NewRun:
    """Predictions equal to the labels except every ``flip_every``-th row (given the next class)."""
    classes = sorted(set(labels))
    flipped = set(range(0, len(labels), flip_every))
    predicted = [
        classes[(classes.index(lab) + 1) % len(classes)] if i in flipped else lab
        for i, lab in enumerate(labels)
    ]
    return NewRun(name, classes, "test", predicted, kind=kind)


@pytest.fixture
def bank(tmp_path: Path, banking_small: Path) -> tuple[Project, pl.DataFrame, dict[str, set[str]]]:
    """Version 1 (600 rows, a classifier run and a probe run), the slice ``cards`` marked as gold
    ``cards``, and version 2 with planted changes: 3 gold rows relabelled, 2 edited, 2 dropped, and
    one row outside the gold set relabelled."""
    project = Project.create(tmp_path / "p.strata")
    import_dataset(project, banking_small, ROLES, name="bank")
    rows = pl.read_csv(banking_small)
    labels = rows["category"].to_list()
    for name, kind, every in (("model", "classifier", 7), ("probe", "probe", 11)):
        add_run(project, 1, _run(name, labels, kind, every))
    save_slice(project, "cards", {"where": WHERE}, version_table(project, 1))
    _, notes = mark_gold_set(project, "cards", resolve_row_set(project, "bank:1:cards"), note="checked twice")
    assert notes == []
    in_gold = rows.filter(pl.col("category").str.starts_with("card"))
    keys = in_gold["id"].to_list()
    planted = {"label": set(keys[:3]), "content": set(keys[3:5]), "missing": set(keys[5:7])}
    outside = rows.filter(~pl.col("category").str.starts_with("card"))["id"][0]
    edited = rows.with_columns(
        category=pl.when(pl.col("id").is_in([*planted["label"], outside]))
        .then(pl.lit("Refund_not_showing_up"))
        .otherwise(pl.col("category")),
        text=pl.when(pl.col("id").is_in(list(planted["content"])))
        .then(pl.col("text") + " Please hurry.")
        .otherwise(pl.col("text")),
    ).filter(~pl.col("id").is_in(list(planted["missing"])))
    edited.write_csv(tmp_path / "v2.csv")
    import_dataset(project, tmp_path / "v2.csv", ROLES, version_of="bank")
    yield project, in_gold, planted
    project.close()


def test_violations_are_the_planted_changes_and_every_run_is_scored(
    bank: tuple[Project, pl.DataFrame, dict[str, set[str]]],
) -> None:
    project, in_gold, planted = bank
    report = gold_report(project, "cards")
    assert report.gold.rows == in_gold.height > 20 and report.gold.source == "bank:1 slice 'cards'"
    assert report.gold.filter == {"where": WHERE}
    first, second = report.versions
    assert first.violations.height == 0 and first.score is not None and first.score.accuracy == 1.0
    found = {k: set(second.violations.filter(pl.col("kind") == k)["row_key"]) for k in planted}
    assert found == planted  # the row outside the gold set is no violation
    assert second.counts() == {"missing": 2, "content": 2, "label": 3}
    edited = second.violations.filter(pl.col("kind") == "content")
    assert all(t.endswith("Please hurry.") for t in edited["text"])

    score = second.score
    assert score is not None
    assert (score.compared, score.missing, score.correct) == (in_gold.height - 2, 2, in_gold.height - 5)
    assert set(score.disagreements["row_key"]) == planted["label"]
    assert set(score.disagreements["given"]) == {"Refund_not_showing_up"}
    low, high = wilson_interval(score.correct, score.compared)
    assert (score.low, score.high) == (float(low), float(high)) and score.low < score.accuracy < score.high
    support = in_gold.filter(~pl.col("id").is_in(list(planted["missing"]))).group_by("category").len()
    assert dict(zip(score.classes, score.support.tolist(), strict=True)) == dict(support.iter_rows())

    assert [(r.subject, r.kind) for r in report.runs] == [
        ("bank:1 run model", "classifier"),
        ("bank:1 run probe", "probe"),
    ]
    model = report.runs[0]
    positions = pl.Series(range(600)).filter(pl.Series(range(600)) % 7 == 0).to_list()
    keys = [f"b{i}" for i in positions]
    wrong = set(in_gold.filter(pl.col("id").is_in(keys))["id"])
    assert set(model.disagreements["row_key"]) == wrong and model.compared == in_gold.height
    assert model.accuracy == pytest.approx(1 - len(wrong) / in_gold.height)
    per_class = {
        c: 1 - in_gold.filter((pl.col("category") == c) & pl.col("id").is_in(list(wrong))).height / n
        for c, n in in_gold.group_by("category").len().iter_rows()
    }
    assert dict(zip(model.classes, model.recall.tolist(), strict=True)) == pytest.approx(per_class)
    assert report.as_dict()["versions"][1]["violations_by_kind"] == {"missing": 2, "content": 2, "label": 3}


def test_approvals_move_the_gold_set_and_are_recorded(
    bank: tuple[Project, pl.DataFrame, dict[str, set[str]]],
) -> None:
    project, in_gold, planted = bank
    gold = get_gold_set(project, "cards")
    with pytest.raises(InputError, match="shows no violation"):
        accept_from_version(project, gold, 1, "nothing to take")
    approval = accept_from_version(project, gold, 2, "the relabelling was reviewed")
    assert {c["row_key"] for c in approval.changes} == set().union(*planted.values())
    after = gold_report(project, "cards")
    assert after.versions[1].violations.height == 0
    # version 1 now differs from the gold set where version 2's rows were accepted (removed rows are gone)
    assert set(after.versions[0].violations["row_key"]) == planted["label"] | planted["content"]
    assert after.gold.rows == in_gold.height - 2 and after.gold.revision == 1

    key = sorted(planted["content"])[0]
    with pytest.raises(InputError, match="has no row 'nope'"):
        relabel_gold(project, after.gold, {"nope": "x"}, "typo")
    relabel_gold(project, after.gold, {key: "card_about_to_expire"}, "second look")
    remove_from_gold(project, after.gold, [sorted(planted["label"])[0]], "ambiguous wording")
    rows = read_gold_rows(project, gold.gold_id)
    assert rows.filter(pl.col("row_key") == key)["label"].item() == "card_about_to_expire"
    assert [(a.action, a.note) for a in read_approvals(project, gold.gold_id)] == [
        ("accept", "the relabelling was reviewed"),
        ("relabel", "second look"),
        ("remove", "ambiguous wording"),
    ]
    with pytest.raises(InputError, match="neither a row"):
        accept_from_version(project, get_gold_set(project, "cards"), 2, "x", keys=["nope"])


def test_marking_refusals_and_freezing(bank: tuple[Project, pl.DataFrame, dict[str, set[str]]]) -> None:
    project, _, _ = bank
    with pytest.raises(InputError, match="No slice named 'nope'; saved slices: cards"):
        resolve_row_set(project, "bank:nope")
    with pytest.raises(InputError, match="cannot be used"):
        resolve_row_set(project, "bank:1", where="colour = 'red'")
    with pytest.raises(InputError, match="made from a version's rows"):
        mark_gold_set(project, "x", resolve_row_set(project, "gold:cards"))
    both = resolve_row_set(project, "bank:1:cards", where="id != 'b0'", need_text=False)
    narrower, _ = mark_gold_set(project, "narrower", both)
    assert narrower.filter == {"where": f"({WHERE}) AND (id != 'b0')"} and narrower.slice_name == "cards"
    assert narrower.rows == get_gold_set(project, "cards").rows - 1
    whole, notes = mark_gold_set(project, "all", resolve_row_set(project, "bank"))
    assert whole.rows == 598 and whole.filter is None and notes == []

    rows = pl.DataFrame(
        {"_row_key": ["a", "b", "a"], "_content_hash": ["h", "i", "h"], "lab": ["x", None, "y"]}
    )
    frozen, repeated = freeze_rows(rows, "lab", 7)
    assert frozen.rows() == [("a", "h", "x", 7), ("b", "i", None, 7)] and repeated == 1
    score = score_against_gold(
        frozen,
        pl.DataFrame({"_row_id": [0], "_row_key": ["b"], "_content_hash": ["i"], "lab": ["x"]}),
        subject="s",
        kind="labels",
        version_id=7,
        label_column="lab",
    )
    assert (score.compared, score.missing, np.isnan(score.accuracy)) == (0, 1, True)
