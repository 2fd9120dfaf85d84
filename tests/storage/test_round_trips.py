"""Each storage module writes and reads back what it was given, as frozen records, frames and arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from storage.embeddings import ensure_set, find_set, load_vectors, stored_hashes, write_chunk
from storage.errors import InputError, ProjectError, StageInputError
from storage.exports import record_export
from storage.project import Project
from storage.rows import logical_type
from storage.runs import NewRun, add_run, list_runs, read_predictions, read_probabilities
from storage.slices import read_slices, remove_slice, write_slice
from storage.stage_outputs import (
    NewCluster,
    StageRecord,
    find_stage,
    latest_stage,
    read_clusters,
    read_coords,
    read_neighbours,
    write_clustering,
    write_neighbours,
    write_projection,
)
from storage.tags import TagBatch, apply_tag, create_tag, read_row_tags, remove_tag, replace_auto_tags
from storage.versions import NewVersion, add_version, get_version, list_versions, read_rows, resolve_version

N = 6


def rows_frame() -> pl.DataFrame:
    data = pl.DataFrame({"text": [f"t{i}" for i in range(N)], "label": ["a", "b", "a", None, "b", "a"]})
    return data.with_columns(
        _row_id=pl.int_range(N, dtype=pl.Int64),
        _row_key=pl.Series([f"k{i}" for i in range(N)]),
        _content_hash=pl.Series([f"{i:032x}" for i in range(N)]),
    )


def new_version(name: str, existing: bool = False) -> NewVersion:
    frame = rows_frame()
    return NewVersion(
        dataset=name,
        next_of_existing=existing,
        rows=frame,
        column_types={c: logical_type(t) for c, t in frame.select("text", "label").schema.items()},
        roles={"text": "text", "label": "label"},
        label_names=["a", "b"],
        source_path="/data/x.csv",
        source_sha256="0" * 64,
        note="first",
    )


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Project.create(tmp_path / "p.strata") as p:
        yield p


def test_versions(project: Project) -> None:
    first, run_id = add_version(project, new_version("d"))
    second, _ = add_version(project, new_version("d", existing=True))
    assert run_id is None
    assert (first.dataset, first.number, first.rows, second.number) == ("d", 1, N, 2)
    assert get_version(project, first.version_id) == first
    assert list_versions(project) == [get_version(project, first.version_id), second]
    assert (
        read_rows(project, first.version_id)
        .drop("_row_id", "_row_key", "_content_hash")
        .equals(rows_frame().select("text", "label"))
    )
    assert resolve_version(project) == second.version_id
    assert resolve_version(project, "d") == second.version_id
    assert resolve_version(project, "d:1") == first.version_id
    assert resolve_version(project, str(first.version_id)) == first.version_id
    with pytest.raises(ProjectError, match="d:1, d:2"):
        resolve_version(project, "e")
    with pytest.raises(InputError, match="already exists"):
        add_version(project, new_version("d"))
    with pytest.raises(InputError, match="No dataset named 'e'"):
        add_version(project, new_version("e", existing=True))
    assert len(list_versions(project)) == 2  # the refused ones wrote nothing


def test_runs(project: Project) -> None:
    version, _ = add_version(project, new_version("d"))
    probs = np.tile([[0.75, 0.25]], (N, 1))
    run = NewRun(
        "m",
        ["a", "b"],
        "/out.csv",
        ["a"] * N,
        probs[:, 0],
        probs[:, 0] - probs[:, 1],
        np.full(N, np.nan),
        probs,
    )
    run_id = add_run(project, version.version_id, run)
    [stored] = list_runs(project, version.version_id)
    assert (stored.run_id, stored.name, stored.label_names, stored.has_probabilities) == (
        run_id,
        "m",
        ["a", "b"],
        True,
    )
    predictions = read_predictions(project, run_id)
    assert predictions["predicted"].to_list() == ["a"] * N
    assert predictions["margin"].to_list() == [0.5] * N and predictions["loss"].null_count() == N
    np.testing.assert_array_equal(read_probabilities(project, run_id), probs.astype(np.float32))
    with pytest.raises(InputError, match="already has a model run named 'm'"):
        add_run(project, version.version_id, run)


def test_stage_outputs(project: Project) -> None:
    version, _ = add_version(project, new_version("d"))
    vid = version.version_id
    idx = np.tile(np.arange(2, dtype=np.int32), (N, 1))
    dist = np.full((N, 2), 0.25, dtype=np.float32)
    write_neighbours(project, StageRecord("k1", "neighbours", vid, {"k": 2}, "k0", 1.5), idx, dist, "exact")
    coords = np.arange(2 * N, dtype=np.float32).reshape(N, 2)
    write_projection(project, StageRecord("k2", "project", vid, {}, "k1", 2.0), coords, "umap")
    clusters = [NewCluster(0, "a · b", ["a", "b"], np.array([0, 1, 2]), 0.5)]
    write_clustering(project, StageRecord("k3", "cluster", vid, {}, "k2", 0.1), "hdbscan", None, 3, clusters)
    found = find_stage(project, "k2")
    assert found is not None
    assert (found.stage, found.version_id, found.input_key, found.seconds) == ("project", vid, "k1", 2.0)
    assert latest_stage(project, vid, "cluster").key == "k3"  # type: ignore[union-attr]
    np.testing.assert_array_equal(read_neighbours(project, vid), idx)
    np.testing.assert_array_equal(read_coords(project, vid), coords)
    infos, labels = read_clusters(project, vid)
    assert [(c.label, c.name, c.size, c.error_rate) for c in infos] == [(0, "a · b", 3, 0.5)]
    assert labels.tolist() == [0, 0, 0, -1, -1, -1]  # type: ignore[union-attr]
    assert find_stage(project, "nope") is None


def test_embeddings(project: Project) -> None:
    set_id = ensure_set(project, "model", "float32", 3, "cpu")
    assert (
        ensure_set(project, "model", "float32", 3, "cpu") == set_id == find_set(project, "model", "float32")
    )
    digests = [bytes([i]) * 16 for i in range(4)]
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3)
    write_chunk(project, set_id, digests[:2], vectors[:2])
    write_chunk(project, set_id, digests[2:], vectors[2:])
    assert stored_hashes(project, set_id) == set(digests)
    wanted = [digests[3].hex(), digests[0].hex()]
    np.testing.assert_array_equal(load_vectors(project, set_id, wanted), vectors[[3, 0]])
    with pytest.raises(StageInputError, match="no embedding"):
        load_vectors(project, set_id, [(b"\xff" * 16).hex()])


def test_tags(project: Project) -> None:
    version, _ = add_version(project, new_version("d"))
    vid = version.version_id
    create_tag(project, "policy")
    assert apply_tag(project, vid, "policy", [1, 2, 2], note="why") == [1, 2]
    assert apply_tag(project, vid, "policy", [2, 3]) == [3]
    assert remove_tag(project, vid, "policy", [1, 5]) == [1]
    styles = {"misclassified": ("#d62728", "wrong")}
    for rows in ([0, 4], [5]):
        batch = TagBatch("misclassified", np.array(rows), np.ones(len(rows)), [{"n": r} for r in rows])
        replace_auto_tags(
            project, StageRecord(f"t{rows[0]}", "tag", vid, {}, "u", 0.0), [batch], ["note"], styles
        )
    tags = read_row_tags(project, vid)
    assert sorted(tags.filter(pl.col("source") == "human")["row_id"].to_list()) == [2, 3]
    auto = tags.filter(pl.col("source") == "auto")
    assert auto["row_id"].to_list() == [5] and auto["detail"].to_list() == ['{"n": 5}']  # replaced, not added
    assert [r.key for r in [latest_stage(project, vid, "tag")] if r] == ["t5"]


def test_slices_and_exports(project: Project) -> None:
    write_slice(project, "s", {"where": "label = 'a'"}, "label = 'a'")
    write_slice(project, "s", {"where": "label = 'b'"}, "label = 'b'")
    assert read_slices(project) == {"s": {"where": "label = 'b'"}}
    assert remove_slice(project, "s") == {"where": "label = 'b'"}
    with pytest.raises(InputError, match="saved slices: none"):
        remove_slice(project, "s")
    manifest = {
        "rows": 3,
        "filter": "all rows",
        "output": {"path": "/x.csv", "format": "csv", "sha256": "ab"},
    }
    record_export(project, manifest, {"where": None})
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT path, format, row_count FROM export").all() == [
            ("/x.csv", "csv", 3)
        ]
