"""Cluster names on the real sample project: stored, audit-logged, undoable, and kept by a rerun of
the pipeline exactly when the rerun reproduces the cluster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.map.clustering import ClusterSpec
from analysis.pipeline.runner import PipelineSpec, run_pipeline
from analysis.view_frame import load_view_frame
from resources import SAMPLE_DATA
from storage.cluster_names import (
    MAX_NAME_LENGTH,
    copy_cluster_names,
    label_fingerprints,
    members_fingerprint,
    rename_cluster,
    stored_names,
)
from storage.errors import InputError
from storage.project import Project
from storage.schema import AuditLog
from storage.stage_outputs import ClusterInfo, latest_stage, read_clusters


@pytest.fixture
def project(sample_project: Path) -> Project:
    with Project.open(sample_project) as opened:
        yield opened  # type: ignore[misc]


def clusters_of(project: Project) -> tuple[dict[int, ClusterInfo], np.ndarray]:
    found, labels = read_clusters(project, 1)
    assert labels is not None
    return {c.label: c for c in found}, labels


def rows_of(labels: np.ndarray, label: int) -> frozenset[int]:
    return frozenset(np.flatnonzero(labels == label).tolist())


def audit(project: Project, action: str) -> list[dict[str, object]]:
    with project.session() as s:
        return [dict(e.detail) for e in s.scalars(select(AuditLog).where(AuditLog.action == action))]


def test_fingerprints_depend_on_the_rows_only() -> None:
    rows = np.array([5, 1, 9], dtype=np.int64)
    assert members_fingerprint(rows) == members_fingerprint(np.array([9, 5, 1]))
    assert members_fingerprint(rows) != members_fingerprint(np.array([5, 1, 9, 10]))
    prints = label_fingerprints(np.array([3, 1, 2, 0]), np.array([7, 4, 7, 4]))
    assert prints == {4: members_fingerprint(np.array([0, 1])), 7: members_fingerprint(np.array([2, 3]))}


def test_rename_round_trip_audit_log_and_undo(project: Project) -> None:
    clusters, _ = clusters_of(project)
    target = max(clusters.values(), key=lambda c: c.size)
    assert target.name == target.auto_name  # nothing named yet

    old = rename_cluster(project, 1, target.label, "  Foreign\nexchange   rates ", author="ana")
    assert old == target.auto_name
    renamed, _ = clusters_of(project)
    assert renamed[target.label].name == "Foreign exchange rates"
    assert renamed[target.label].auto_name == target.auto_name
    assert renamed[target.label].keywords == target.keywords
    assert all(c.name == c.auto_name for lab, c in renamed.items() if lab != target.label)
    # Everywhere the frame is read: the map legend, hover text and inspector use frame.clusters.
    frame = load_view_frame(project, 1)
    assert next(c.name for c in frame.clusters if c.label == target.label) == "Foreign exchange rates"
    row = int(np.flatnonzero(frame.rows["cluster"].to_numpy() == target.label)[0])
    assert "cluster: Foreign exchange rates" in frame.describe_row(row)

    assert rename_cluster(project, 1, target.label, "FX rates") == "Foreign exchange rates"
    entries = audit(project, "rename_cluster")
    assert [(e["old"], e["new"]) for e in entries] == [
        (target.auto_name, "Foreign exchange rates"),
        ("Foreign exchange rates", "FX rates"),
    ]
    assert entries[0]["cluster"] == target.label and entries[0]["rows"] == target.size
    assert entries[0]["stage_key"] == latest_stage(project, 1, "cluster").key  # type: ignore[union-attr]
    with project.session() as s:
        assert s.scalar(select(AuditLog.author).where(AuditLog.action == "rename_cluster")) == "ana"

    # Undo twice, as the window's undo stack does: the automatic name leaves nothing stored.
    assert rename_cluster(project, 1, target.label, "Foreign exchange rates") == "FX rates"
    assert rename_cluster(project, 1, target.label, target.auto_name) == "Foreign exchange rates"
    assert clusters_of(project)[0][target.label].name == target.auto_name
    assert stored_names(project, 1) == {}
    # Renaming to the shown name changes and logs nothing.
    assert rename_cluster(project, 1, target.label, target.auto_name) == target.auto_name
    assert len(audit(project, "rename_cluster")) == 4


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "needs a name"),
        (" \n\t ", "needs a name"),
        ("x" * (MAX_NAME_LENGTH + 1), f"at most {MAX_NAME_LENGTH}"),
    ],
)
def test_empty_or_long_names_are_refused(project: Project, name: str, message: str) -> None:
    label = next(iter(clusters_of(project)[0]))
    with pytest.raises(InputError, match=message):
        rename_cluster(project, 1, label, name)
    assert stored_names(project, 1) == {} and audit(project, "rename_cluster") == []


def test_noise_unknown_labels_and_taken_names_are_refused(project: Project) -> None:
    clusters, _ = clusters_of(project)
    first, second = sorted(clusters)[:2]
    with pytest.raises(InputError, match="noise"):
        rename_cluster(project, 1, -1, "the rest")
    with pytest.raises(
        InputError, match=f"no cluster {max(clusters) + 1}; its clusters are 0–{max(clusters)}"
    ):
        rename_cluster(project, 1, max(clusters) + 1, "nothing")
    rename_cluster(project, 1, first, "Card top-ups")
    with pytest.raises(InputError, match=f"Cluster {first} is already named 'Card top-ups'"):
        rename_cluster(project, 1, second, "card TOP-UPS")
    third = sorted(clusters)[2]
    with pytest.raises(InputError, match=f"Cluster {third} is already named"):
        rename_cluster(project, 1, second, clusters[third].auto_name)  # an automatic name counts too
    with pytest.raises(InputError, match="no clusters yet"):
        rename_cluster(project, 99, first, "no such version")


def test_a_rerun_keeps_names_exactly_where_it_reproduces_the_cluster(project: Project) -> None:
    clusters, labels = clusters_of(project)
    names = {lab: f"named {lab}" for lab in clusters}
    for lab, name in names.items():
        rename_cluster(project, 1, lab, name)
    named_rows = {rows_of(labels, lab): name for lab, name in names.items()}

    # The same pipeline again: every stage comes from the cache, the clustering is the very same.
    reports = run_pipeline(project, 1)
    assert all(r.cached for r in reports)
    assert {lab: c.name for lab, c in clusters_of(project)[0].items()} == names

    # Another key, the same clustering: min_cluster_size 10 is what the default (0) resolves to on
    # 3,080 rows, so HDBSCAN recomputes the same clusters under a new stage key. Names follow them.
    before = latest_stage(project, 1, "cluster")
    reports = run_pipeline(project, 1, PipelineSpec(cluster=ClusterSpec(min_cluster_size=10)))
    assert not next(r for r in reports if r.stage == "cluster").cached
    assert latest_stage(project, 1, "cluster").key != before.key  # type: ignore[union-attr]
    again, again_labels = clusters_of(project)
    assert {rows_of(again_labels, lab): c.name for lab, c in again.items()} == named_rows

    # A different clustering: a name shows only on a cluster with exactly the rows it was given to;
    # every other cluster has its automatic name.
    run_pipeline(project, 1, PipelineSpec(cluster=ClusterSpec(min_cluster_size=25)))
    other, other_labels = clusters_of(project)
    kept = 0
    for lab, c in other.items():
        rows = rows_of(other_labels, lab)
        if rows in named_rows:
            assert c.name == named_rows[rows]
            kept += 1
        else:
            assert c.name == c.auto_name and not c.name.startswith("named ")
    assert kept < len(other) and len(other) < len(clusters)


def test_names_can_be_copied_to_a_version_with_the_same_rows(project: Project) -> None:
    clusters, _ = clusters_of(project)
    label = next(iter(clusters))
    rename_cluster(project, 1, label, "Card top-ups")
    roles = RoleMapping(id="id", text="text", label="label")
    v2 = import_dataset(project, SAMPLE_DATA, roles, version_of="banking77-test").version_id
    with project.session() as s:
        assert copy_cluster_names(s, 1, v2) == 1
    with project.session() as s:
        assert copy_cluster_names(s, 1, v2) == 0  # already there
    assert stored_names(project, v2) == stored_names(project, 1)
