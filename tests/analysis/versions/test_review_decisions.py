"""Review decisions are stored as they are made: rows kept with K stay decided when the tags that
queued them are computed again, and saved corrections keep the version's map."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from sqlalchemy import select

from analysis.pipeline.runner import run_pipeline
from analysis.pipeline.spec import PipelineSpec
from analysis.versions.review import ACCEPT, KEEP, SKIP, ReviewQueue
from analysis.view_frame import load_view_frame
from storage.project import Project
from storage.reviews import read_decisions
from storage.schema import AuditLog
from storage.stage_outputs import read_clusters, read_coords, read_neighbours
from storage.versions import resolve_version


def test_kept_rows_are_not_queued_again_after_a_rerun(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        version = resolve_version(project)
        queue = ReviewQueue.for_tag(project, version)
        kept, skipped, accepted = queue.items[0], queue.items[1], queue.items[2]
        queue.decide(KEEP)
        queue.decide(SKIP)
        queue.decide(ACCEPT)
        # the tags are computed again with another threshold: the label_issue rows are rewritten
        spec = PipelineSpec()
        spec = replace(spec, tag=replace(spec.tag, high_loss=spec.tag.high_loss + 0.01))
        reports = run_pipeline(project, version, spec)
        assert any(r.stage == "tag" and not r.cached for r in reports)
        again = ReviewQueue.for_tag(project, version)
        rows = [i.row_id for i in again.items]
        stored = read_decisions(project, version, "label_issue")
        with project.session() as s:
            logged = s.scalars(select(AuditLog.action).where(AuditLog.action == "review_decision")).all()
    assert kept.row_id not in rows and accepted.row_id not in rows
    assert skipped.row_id in rows  # skipped means "later"
    assert stored[kept.row_id] == ("keep", None)
    assert stored[accepted.row_id] == ("accept", accepted.suggested)
    assert again.corrections() == {accepted.row_id: accepted.suggested}  # the review resumes
    assert len(logged) == 3


def test_saved_corrections_keep_the_map_and_the_kept_rows(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        version = resolve_version(project)
        queue = ReviewQueue.for_tag(project, version)
        kept = queue.items[0]
        queue.decide(KEEP)
        queue.decide(ACCEPT)
        new_version = queue.save()
        coords_before, coords_after = read_coords(project, version), read_coords(project, new_version)
        clusters_before = read_clusters(project, version)
        clusters_after = read_clusters(project, new_version)
        neighbours = read_neighbours(project, new_version)
        frame = load_view_frame(project, new_version)
        kept_after = read_decisions(project, new_version, "label_issue")
    assert coords_after is not None and np.array_equal(coords_before, coords_after)
    assert neighbours is not None
    assert [c.name for c in clusters_after[0]] == [c.name for c in clusters_before[0]]
    assert np.array_equal(clusters_before[1], clusters_after[1])
    assert frame.coords is not None and "cluster" in frame.rows.columns
    assert kept_after == {kept.row_id: ("keep", None)}
