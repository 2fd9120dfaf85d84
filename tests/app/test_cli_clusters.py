"""``strata clusters``: list a version's clusters and rename one, with messages instead of tracebacks."""

from __future__ import annotations

import json
import os
from pathlib import Path

from storage.project import Project
from storage.stage_outputs import read_clusters
from tests.conftest import run_strata
from tests.storage.test_faults import unprivileged


def test_list_and_rename_a_cluster(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        clusters, labels = read_clusters(project, 1)
    assert labels is not None
    largest = clusters[0]
    done = run_strata("clusters", str(sample_project), cwd=sample_project.parent)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert (
        lines[0]
        == f"{len(clusters)} clusters ({int((labels < 0).sum()):,} rows in no cluster), largest first:"
    )
    assert lines[2].split()[:2] == [str(largest.label), f"{largest.size:,}"]
    assert lines[2].endswith(largest.name)

    done = run_strata(
        "clusters",
        str(sample_project),
        "--rename",
        str(largest.label),
        "Card top-ups",
        cwd=sample_project.parent,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Cluster {largest.label} renamed: '{largest.auto_name}' → 'Card top-ups'."
    listed = run_strata("clusters", str(sample_project), "--json", cwd=sample_project.parent)
    entry = next(c for c in json.loads(listed.stdout)["clusters"] if c["label"] == largest.label)
    assert entry["name"] == "Card top-ups" and entry["automatic_name"] == largest.auto_name
    text = run_strata("clusters", str(sample_project), cwd=sample_project.parent).stdout
    assert f"Card top-ups  (automatic: {largest.auto_name})" in text


def test_bad_renames_say_why(sample_project: Path) -> None:
    cwd = sample_project.parent
    cases = [
        (["0", "   "], "A cluster needs a name"),
        (["0", "x" * 81], "a cluster name may have at most 80"),
        (["card", "Cards"], "'card' is not a cluster label"),
        (["-1", "Cards"], "noise"),
        (["9999", "Cards"], "has no cluster 9999"),
    ]
    for args, message in cases:
        done = run_strata("clusters", str(sample_project), "--rename", *args, cwd=cwd)
        assert done.returncode == 2, (args, done.stdout)
        assert "Traceback" not in done.stderr and message in done.stderr, (args, done.stderr)


def test_a_read_only_project_lists_but_cannot_rename(sample_project: Path) -> None:
    prefix = unprivileged()
    os.chmod(sample_project, 0o444)
    try:
        cwd = sample_project.parent
        listed = run_strata("clusters", str(sample_project), cwd=cwd, prefix=prefix)
        assert listed.returncode == 0, listed.stderr
        done = run_strata("clusters", str(sample_project), "--rename", "0", "Cards", cwd=cwd, prefix=prefix)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "is read-only" in done.stderr
    finally:
        os.chmod(sample_project, 0o644)
    with Project.open(sample_project) as project:
        assert all(c.name == c.auto_name for c in read_clusters(project, 1)[0])
