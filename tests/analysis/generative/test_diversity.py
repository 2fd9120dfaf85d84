"""Diversity over versions on real responses: a fresh sample of the same model's answers does not
drop, a collapsed generation (the same 12 answers repeated) drops on every measure."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.drift.diversity import diversity_drops, measure_diversity, text_sources
from analysis.generative.diversity import distinct_n, mean_cosine_distance, sample_rows
from analysis.generative.embeddings import response_vectors
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.map.embed import EmbedSpec
from analysis.progress import NullProgress
from app.cli import main
from storage.project import Project
from tests.analysis.generative.conftest import ALPACA

ROWS = 120


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1: vicuna-7b's first 120 answers; v2: its next 120; v3: v2 collapsed onto 12 of its answers."""
    folder = tmp_path_factory.mktemp("diversity")
    answers = pl.read_ndjson(ALPACA / "vicuna-7b.jsonl").sort("id")["output"].to_list()
    collapsed = [answers[ROWS + i % 12] for i in range(ROWS)]
    parts = [answers[:ROWS], answers[ROWS : 2 * ROWS], collapsed]
    with Project.create(folder / "p.strata") as project:
        for n, texts in enumerate(parts, 1):
            path = folder / f"v{n}.csv"
            pl.DataFrame({"text": texts}).write_csv(path)
            import_dataset(
                project, path, RoleMapping(text="text"), name="gen", version_of="gen" if n > 1 else None
            )
    return folder / "p.strata"


def test_distinct_n_against_a_count_of_the_bigrams() -> None:
    texts = pl.read_ndjson(ALPACA / "alpaca-7b.jsonl")["output"].head(200).to_list()
    bigrams: Counter[tuple[str, str]] = Counter()
    for text in texts:
        words = re.findall(r"\w+", text.lower())
        bigrams.update(itertools.pairwise(words))
    assert distinct_n(texts, 2) == pytest.approx(len(bigrams) / sum(bigrams.values()))
    assert distinct_n(["the cat", "the cat"], 1) == 0.5


def test_collapse_is_flagged_and_a_fresh_sample_is_not(versions: Path) -> None:
    with Project.open(versions) as project:
        entries = measure_diversity(project, [1, 2, 3], sample=100)
        v1 = text_sources(project, 1)["text"]
        picks = sample_rows(ROWS, 100)
        vectors = response_vectors(
            project, [v1[0][i] for i in picks], [v1[1][i] for i in picks], EmbedSpec(), NullProgress()
        )
    # every set measured on the same 100 texts: distinct-n of v1 is the count on that sample
    assert [e.diversity.sample for e in entries] == [100, 100, 100]
    assert entries[0].diversity.distinct_2 == pytest.approx(distinct_n([v1[0][i] for i in picks], 2))
    pairs = vectors @ vectors.T
    brute = 1 - (pairs.sum() - np.trace(pairs)) / (100 * 99)
    assert mean_cosine_distance(vectors) == pytest.approx(brute, abs=1e-5)
    drops = diversity_drops(entries)
    assert [(d["from"], d["to"]) for d in drops] == [("gen v2", "gen v3")]
    assert drops[0]["measures"] == [
        "distinct_1",
        "distinct_2",
        "mean_cosine_distance",
        "near_duplicate_share",
        "cluster_entropy",
    ]
    # 12 answers repeated: every sampled text has an identical twin in the sample
    assert entries[2].diversity.near_duplicate_share == 1.0
    assert entries[1].diversity.near_duplicate_share < 0.05


def test_strata_diversity_prints_the_drop(versions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diversity", str(versions), "--sample", "100"]) == 0
    out = capsys.readouterr().out
    assert "DROP text: gen v2 → gen v3" in out and out.count("DROP") == 1
    assert main(["diversity", str(versions), "--sample", "100", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["entries"]) == 3 and report["drops"][0]["to"] == "gen v3"
