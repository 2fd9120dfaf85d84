"""Human tags with audit trail, and the review queue's corrections as a new version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import select

from analysis.versions.review import ACCEPT, KEEP, RELABEL, SKIP, ReviewQueue
from storage.errors import InputError
from storage.project import Project
from storage.runs import list_runs, read_predictions
from storage.schema import AuditLog
from storage.tags import apply_tag, create_tag, list_tags, read_row_tags, remove_tag
from storage.versions import list_versions, read_rows, resolve_version


def test_human_tags_apply_remove_and_audit(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        version = resolve_version(project)
        create_tag(project, "needs policy", "#aa00aa", "Ambiguous intents", "failure_mode")
        with pytest.raises(InputError, match="already exists"):
            create_tag(project, "needs policy")
        assert "needs policy" in {t.name for t in list_tags(project)}
        added = apply_tag(project, version, "needs policy", [5, 7, 7, 9], note="first pass", author="ana")
        again = apply_tag(project, version, "needs policy", [9, 11], author="ana")
        removed = remove_tag(project, version, "needs policy", [7, 100])
        tags = read_row_tags(project, version).filter(pl.col("tag") == "needs policy")
        with project.session() as s:
            log = [(a.action, a.author, a.detail) for a in s.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert added == [5, 7, 9] and again == [11] and removed == [7]
    assert sorted(tags["row_id"].to_list()) == [5, 9, 11]
    assert set(tags["source"]) == {"human"} and set(tags["author"]) == {"ana"}
    assert (
        "apply_tag",
        "ana",
        {"tag": "needs policy", "version": version, "rows": 3, "note": "first pass"},
    ) in log
    assert [a for a, _, _ in log][-4:] == ["create_tag", "apply_tag", "apply_tag", "remove_tag"]


def test_review_queue_saves_a_new_version_and_keeps_the_original(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        version = resolve_version(project)
        before = read_rows(project, version)
        queue = ReviewQueue.for_tag(project, version)
        assert len(queue.items) > 10
        assert [i.score for i in queue.items] == sorted((i.score for i in queue.items), reverse=True)
        first, second, third, fourth = queue.items[:4]
        queue.decide(ACCEPT)
        queue.decide(KEEP)
        queue.decide(RELABEL, "card_arrival")
        queue.decide(SKIP)
        assert queue.current == queue.items[4]
        new_version = queue.save()
        after_original = read_rows(project, version)
        corrected = read_rows(project, new_version)
        versions = list_versions(project)
        runs = list_runs(project, new_version)
        losses = read_predictions(project, runs[0].run_id)["loss"].to_numpy()
        old_losses = read_predictions(project, list_runs(project, version)[0].run_id)["loss"].to_numpy()
    assert after_original.equals(before)  # the imported data is never overwritten
    assert [v.number for v in versions if v.dataset == "banking77-test"] == [1, 2]
    assert corrected["label_corrected"][first.row_id] == first.suggested
    assert corrected["label_corrected"][second.row_id] == corrected["label"][second.row_id]
    assert corrected["label_corrected"][third.row_id] == "card_arrival"
    assert corrected["label_corrected"][fourth.row_id] == corrected["label"][fourth.row_id]
    changed = np.flatnonzero((corrected["label_corrected"] != corrected["label"]).to_numpy())
    assert set(changed) <= {first.row_id, third.row_id}
    assert versions[-1].roles["label"] == "label_corrected"
    unchanged = np.setdiff1d(np.arange(3080), changed)
    assert np.allclose(losses[unchanged], old_losses[unchanged])
    assert (losses[changed] != old_losses[changed]).all()


def test_corrections_are_validated(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        version = resolve_version(project)
        queue = ReviewQueue.for_tag(project, version)
        with pytest.raises(InputError, match="No corrections"):
            queue.save()
        queue.decide(RELABEL, "not_an_intent")
        with pytest.raises(InputError, match="not in the label set"):
            queue.save()
        assert len(list_versions(project)) == 1
