"""The ``cluster_sphere`` stage on the sample project: stored, cached by its parameters, read into the
view frame beside HDBSCAN's clusters, offered as a map colouring, renamable, and usable to balance an
export's sample."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.map.colouring import colour_columns, map_colouring
from analysis.map.keywords import cluster_name
from analysis.map.spherical import SphereClusterSpec, spherical_kmeans
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.runner import PipelineSpec, run_pipeline
from analysis.progress import NullProgress
from analysis.slices.export import ExportOptions, export_rows
from analysis.view_frame import load_view_frame
from app.cli import main
from storage.cluster_names import rename_cluster
from storage.project import Project
from storage.stage_outputs import latest_stage, read_clusters


def test_the_stage_stores_every_row_in_a_named_cluster(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        frame = load_view_frame(project, 1)
        vectors = StageInputs(project, 1, PipelineSpec(), NullProgress()).vectors()
        record = latest_stage(project, 1, "cluster_sphere")
    assert record is not None
    assert record.params == {"k": 0, "seed": 42, "iterations": 25, "run_id": frame.run_id}
    column = frame.rows["cluster_sphere"].to_numpy()
    # What the stage stored is the algorithm's answer on the stored vectors, row for row.
    assert np.array_equal(column, spherical_kmeans(vectors, SphereClusterSpec(), NullProgress()))
    assert frame.clusterings() == ["cluster", "cluster_sphere"]
    assert (frame.rows["cluster"] == -1).any() and column.min() == 0  # noise only in HDBSCAN's
    assert len(frame.sphere_clusters) == 18 and sum(c.size for c in frame.sphere_clusters) == 3080
    wrong = ~frame.rows["correct"].fill_null(True).to_numpy()
    for c in frame.sphere_clusters:
        assert c.name == cluster_name(c.keywords, c.label) and c.keywords
        assert c.error_rate == pytest.approx(wrong[column == c.label].mean())
    row = int(np.flatnonzero(column == frame.sphere_clusters[0].label)[0])
    assert f"vector cluster: {frame.sphere_clusters[0].name}" in frame.describe_row(row)


def test_the_stage_is_cached_by_its_parameters(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        again = {r.stage: r.cached for r in run_pipeline(project, 1)}
        assert again["cluster_sphere"] and all(again.values())
        changed = run_pipeline(project, 1, PipelineSpec(sphere=SphereClusterSpec(k=5)))
        assert [r.stage for r in changed if not r.cached] == ["cluster_sphere"]
        clusters, labels = read_clusters(project, 1, "cluster_sphere")
        hdbscan, _ = read_clusters(project, 1)
    assert len(clusters) == 5 and labels is not None and set(labels.tolist()) == set(range(5))
    assert len(hdbscan) > 30  # the map's clustering is untouched


def test_the_map_can_be_coloured_by_either_clustering(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        frame = load_view_frame(project, 1)
    assert list(colour_columns(frame))[-2:] == ["cluster", "cluster_sphere"]
    colouring = map_colouring(frame, "cluster_sphere")
    # largest first (clusters of equal size in either order)
    assert [e.count for e in colouring.legend] == sorted(
        (c.size for c in frame.sphere_clusters), reverse=True
    )
    assert {e.name for e in colouring.legend} == {c.name for c in frame.sphere_clusters}
    assert sum(e.count for e in colouring.legend) == frame.rows.height  # no noise entry
    column = frame.rows["cluster_sphere"].to_numpy()
    first, second = (np.flatnonzero(column == c.label) for c in frame.sphere_clusters[:2])
    assert (colouring.colours[first] == colouring.colours[first[0]]).all()
    assert not np.array_equal(colouring.colours[first[0]], colouring.colours[second[0]])
    frame.rows = frame.rows.drop("cluster_sphere")  # a version without it: not offered
    assert "cluster_sphere" not in colour_columns(frame)


def test_a_sphere_cluster_is_renamed_by_its_rows(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        target = read_clusters(project, 1, "cluster_sphere")[0][2]
        old = rename_cluster(project, 1, target.label, "Card worries", stage="cluster_sphere")
        clusters, _ = read_clusters(project, 1, "cluster_sphere")
        hdbscan, _ = read_clusters(project, 1)
    assert old == target.auto_name
    assert next(c.name for c in clusters if c.label == target.label) == "Card worries"
    assert "Card worries" not in {c.name for c in hdbscan}  # other rows, other clusters


def test_an_export_sample_balanced_by_the_sphere_clusters(sample_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "sample.csv"
    with Project.open(sample_project) as project:
        frame = load_view_frame(project, 1)
        options = ExportOptions(sample_by="cluster_sphere", sample_size=300, seed=3)
        manifest = export_rows(project, 1, {"where": None, "row_keys": None}, out, options)
    keys = frame.rows["_row_key"].to_list()
    position = {k: i for i, k in enumerate(keys)}
    column = frame.rows["cluster_sphere"].to_numpy()
    taken = np.bincount(column[[position[k] for k in manifest["row_keys"]]], minlength=18)
    share = np.bincount(column) * 300 / len(keys)
    assert taken.sum() == 300 and (np.abs(taken - share) < 1).all(), (taken, share)
    assert json.loads(out.with_name("sample.csv.manifest.json").read_text())["options"]["sample_by"] == (
        "cluster_sphere"
    )


def test_strata_clusters_lists_either_clustering(sample_project: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["clusters", str(sample_project), "--clustering", "vectors"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "18 clusters (0 rows in no cluster), largest first:"
    assert main(["clusters", str(sample_project), "--clustering", "vectors", "--rename", "0", "Top"]) == 0
    assert capsys.readouterr().out.startswith("Cluster 0 renamed: ")
    assert main(["clusters", str(sample_project), "--clustering", "vectors", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["clustering"] == "vectors" and listed["clusters"][0]["name"] == "Top"
    assert main(["clusters", str(sample_project)]) == 0  # the map's clusters, by default
    text = capsys.readouterr().out
    assert "rows in no cluster" in text and "Top" not in text
