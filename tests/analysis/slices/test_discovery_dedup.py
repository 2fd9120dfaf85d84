"""SliceLine's results on the BANKING77 sample carry no trivial or repeated slices: no predicate that is
another's alias or complement (``cluster = -1`` next to ``tag_cluster_noise = true``,
``tag_near_duplicate = false``), no slice that is a near-copy of a better one."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from analysis.slices.dedup import Predicate, distinct_predicates, drop_near_copies, jaccard
from analysis.slices.discovery import discover_slices
from analysis.slices.filters import evaluate, filter_table
from analysis.slices.sliceline import SliceLineSpec
from analysis.view_frame import ViewFrame, load_view_frame
from app.cli import main
from storage.project import Project


@pytest.fixture(scope="module")
def sample_frame(sample_project_master: Path) -> ViewFrame:
    with Project.open(sample_project_master) as project:
        return load_view_frame(project, 1)


def test_the_sample_has_the_aliases_and_complements_that_made_duplicates(sample_frame: ViewFrame) -> None:
    # The premise of the tests below, on the real data: noise rows are exactly the cluster_noise tag,
    # and most rows are not near-duplicates (so "not the tag" is a large, trivially worse slice).
    table = filter_table(sample_frame)
    noise = evaluate(table, {"where": "cluster = -1"})
    assert np.array_equal(noise, evaluate(table, {"where": "tag_cluster_noise"}))
    assert 0 < int(noise.sum()) < table.height
    assert evaluate(table, {"where": "NOT tag_near_duplicate"}).mean() > 0.5


@pytest.mark.parametrize("alpha", [0.95, 0.99])
def test_discovered_slices_are_neither_trivial_nor_repeated(sample_frame: ViewFrame, alpha: float) -> None:
    found = discover_slices(sample_frame, SliceLineSpec(alpha=alpha))
    assert found  # the sample has slices worse than the rest at these weights
    table = filter_table(sample_frame)
    for f in found:
        assert "= false" not in f.where, f.where  # "not the tag" is the tag's complement
        assert not ('cluster" = -1' in f.where and "tag_cluster_noise" in f.where), f.where
    masks = [evaluate(table, {"where": f.where}) for f in found]
    for (a, ma), (b, mb) in combinations(zip(found, masks, strict=True), 2):
        assert jaccard(ma, mb) < 0.9, (a.where, b.where)
    # of the two aliases, the named tag is kept, not the cluster's code
    assert not any(f.where.startswith('"cluster" = -1') for f in found)
    if alpha == 0.95:  # before: "cluster" = -1, "tag_cluster_noise" = true and their conjunction
        assert [f.where for f in found if "noise" in f.where] == ['"tag_cluster_noise" = true']
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)


def test_the_command_line_shows_the_same_distinct_slices(
    sample_project: Path, sample_frame: ViewFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discover", str(sample_project), "--alpha", "0.99", "--json"]) == 0
    shown = [f["where"] for f in json.loads(capsys.readouterr().out)]
    assert shown == [f.where for f in discover_slices(sample_frame, SliceLineSpec(alpha=0.99))]


def test_distinct_predicates_keeps_the_most_readable_of_aliases_and_drops_negations() -> None:
    labelled = np.ones(6, dtype=bool)
    flag = np.array([1, 1, 0, 0, 0, 0], dtype=bool)
    two_levels = np.array([1, 1, 1, 0, 0, 0], dtype=bool)
    candidates = [
        Predicate('"cluster" = -1', flag, rank=2),
        Predicate('"tag_noise" = true', flag, rank=0),
        Predicate('"tag_noise" = false', ~flag, rank=4),
        Predicate("\"split\" = 'a'", two_levels, rank=1),
        Predicate("\"split\" = 'b'", ~two_levels, rank=1),
        Predicate('"tag_everywhere" = true', labelled, rank=0),
    ]
    kept = [candidates[i].sql for i in distinct_predicates(candidates, labelled)]
    # aliases: the tag, not the cluster code; complements: the positive one; equally readable
    # complements (two levels of one column) both say something; a predicate on every row says nothing
    assert kept == ['"tag_noise" = true', "\"split\" = 'a'", "\"split\" = 'b'"]


def test_distinct_predicates_compares_only_the_rows_sliceline_sees() -> None:
    labelled = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
    a = np.array([1, 1, 0, 0, 1, 0], dtype=bool)
    b = np.array([1, 1, 0, 0, 0, 1], dtype=bool)  # differs from a on unlabelled rows only
    candidates = [Predicate("b", b, rank=1), Predicate("a", a, rank=1)]
    kept = [candidates[i].sql for i in distinct_predicates(candidates, labelled)]
    assert kept == ["a"]  # equally readable: the shorter, then the first by text


def test_drop_near_copies_keeps_the_higher_ranked_of_two_close_row_sets() -> None:
    base = np.zeros(100, dtype=bool)
    base[:50] = True
    near = base.copy()
    near[50:54] = True  # Jaccard 50/54 ≈ 0.93
    apart = base.copy()
    apart[50:56] = True  # Jaccard 50/56 ≈ 0.89
    kept = drop_near_copies([base, near, apart], threshold=0.9)
    assert kept == [0, 2]
    assert jaccard(base, near) == pytest.approx(50 / 54)
