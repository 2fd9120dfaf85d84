"""The label queue of a stored version end to end: BANKING77 rows with most labels left empty, a probe,
a queue labelled in the review queue and saved as the next version, whose rerun makes a new probe;
``strata queue`` and the window's queue on the same data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.active import QUEUE_TAG
from analysis.labeling.active_queue import QueueSpec, build_queue, send_to_review
from analysis.pipeline.runner import run_pipeline
from analysis.versions.review import ACCEPT, RELABEL, ReviewQueue
from storage.errors import InputError
from storage.project import Project
from storage.runs import list_runs
from storage.tags import read_row_tags
from storage.versions import get_version, list_versions, read_rows
from tests.conftest import run_strata

LABELLED_SHARE = 0.2


@pytest.fixture(scope="module")
def partly_labelled_master(sample_project_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample (3,080 BANKING77 test rows) with, as version 2, the same rows with 80% of the labels
    left empty, run to its probe and spherical clusters (the embeddings are version 1's: same texts)."""
    work = tmp_path_factory.mktemp("partly")
    with Project.open(sample_project_master) as project, project.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = read_rows(project, 1, ["id", "text", "label"])
    path = work / "partly.strata"
    shutil.copy(sample_project_master, path)
    keep = np.random.default_rng(0).random(rows.height) < LABELLED_SHARE
    partly = rows.select("id", "text", "label").with_columns(
        label=pl.when(pl.Series(keep)).then(pl.col("label")).otherwise(pl.lit(""))
    )
    partly.write_csv(work / "partly.csv")
    with Project.open(path) as project:
        roles = RoleMapping(id="id", text="text", label="label")
        version = import_dataset(project, work / "partly.csv", roles, version_of="banking77-test").version_id
        run_pipeline(project, version, stages=("cluster_sphere",))
        conn = project.engine.connect()
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return path


@pytest.fixture
def partly_labelled(partly_labelled_master: Path, tmp_path: Path) -> Path:
    """A private copy of the partly labelled project."""
    target = tmp_path / "partly.strata"
    shutil.copy(partly_labelled_master, target)
    return target


def test_a_labelled_round_becomes_a_new_version_and_a_rerun_makes_a_new_probe(partly_labelled: Path) -> None:
    with Project.open(partly_labelled) as project:
        (probe,) = list_runs(project, 2)
        assert probe.kind == "probe" and probe.details is not None
        labelled = probe.details["labelled_rows"]
        queue = build_queue(project, 2, QueueSpec(strategy="mix", size=12))
        assert queue.run == "probe" and queue.notes == () and len(queue.rows) == 12
        assert all(g is None for g in queue.given) and all(s is not None for s in queue.suggested)
        assert queue.candidates == 3080 - labelled
        assert send_to_review(project, queue) == 12
        review = ReviewQueue.for_tag(project, 2, QUEUE_TAG)
        # the review walks the queue in its order, suggesting the probe's top class
        assert [i.row_id for i in review.items] == queue.rows.tolist()
        assert [i.suggested for i in review.items] == queue.suggested
        truth = read_rows(project, 1, ["label"])["label"].to_list()
        for item in review.items:  # the annotator accepts right suggestions and corrects the others
            if item.suggested == truth[item.row_id]:
                review.decide(ACCEPT)
            else:
                review.decide(RELABEL, truth[item.row_id])
        version = review.save()
        labels = read_rows(project, version, ["label_corrected"])["label_corrected"].to_list()
        assert [labels[r] for r in queue.rows.tolist()] == [truth[r] for r in queue.rows.tolist()]
        assert sum(lab is not None for lab in labels) == labelled + 12
        # the copied probe is older than the labels: the next queue says so
        stale = build_queue(project, version, QueueSpec(strategy="uncertainty", size=5))
        assert any("learnt from" in n and "strata run" in n for n in stale.notes)
        assert not set(stale.rows.tolist()) & set(queue.rows.tolist())  # labelled rows leave the pool
        reports = {r.stage: r for r in run_pipeline(project, version, stages=("probe",))}
        assert not reports["probe"].cached and "5-fold probe" in reports["probe"].detail
        (retrained,) = [r for r in list_runs(project, version) if r.kind == "probe"]
        assert retrained.details is not None and retrained.details["labelled_rows"] == labelled + 12
        assert build_queue(project, version, QueueSpec(size=5)).notes == ()


def test_every_row_labelled_or_no_label_column_says_what_to_do(partly_labelled: Path) -> None:
    with Project.open(partly_labelled) as project:
        with pytest.raises(InputError, match=r"Every row of banking77-test:1 is labelled.*--rows labelled"):
            build_queue(project, 1, QueueSpec())
        recheck = build_queue(project, 1, QueueSpec(strategy="uncertainty", rows="labelled", size=5))
        assert recheck.run == "model" and all(g is not None for g in recheck.given)
        with pytest.raises(InputError, match="ActiveLab needs several annotators"):
            build_queue(project, 2, QueueSpec(strategy="activelab"))
        assert get_version(project, 2).roles["label"] == "label"


def test_a_version_the_pipeline_has_not_clustered_is_clustered_by_k_means(
    partly_labelled: Path, tmp_path: Path
) -> None:
    with Project.open(partly_labelled) as project:
        rows = read_rows(project, 2, ["id", "text", "label"]).drop("_row_id", "_row_key", "_content_hash")
        rows.write_csv(tmp_path / "again.csv")
        roles = RoleMapping(id="id", text="text", label="label")
        version = import_dataset(
            project, tmp_path / "again.csv", roles, version_of="banking77-test"
        ).version_id
        run_pipeline(project, version, stages=("embed",))  # the vectors are stored: same texts
        queue = build_queue(project, version, QueueSpec(strategy="diversity", size=18))
        assert queue.clusters_from == "k-means on the embeddings (k = 18)" and queue.run is None
        assert any("no suggested labels" in n for n in queue.notes)
        with pytest.raises(InputError, match=r"no model run or probe.*--probe always"):
            build_queue(project, version, QueueSpec(strategy="mix"))
        grouped = build_queue(project, 2, QueueSpec(strategy="diversity", size=18))
        assert grouped.clusters_from == "the 'cluster_sphere' stage"


def test_strata_queue_prints_the_ranked_rows(partly_labelled: Path, tmp_path: Path) -> None:
    done = run_strata("queue", str(partly_labelled), "--size", "5", "--strategy", "uncertainty", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Rows to label next in banking77-test:2 — strategy uncertainty, 5 of")
    assert "run 'probe'" in lines[0]
    scores = [float(line.split()[1]) for line in lines[1:6]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    listed = run_strata("queue", str(partly_labelled), "--size", "5", "--json", "--to-review", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    out = json.loads(listed.stdout)
    assert out["strategy"] == "mix" and out["queued_for_review"] == 5 and len(out["rows"]) == 5
    assert {"row_id", "text", "label", "suggested", "score"} <= set(out["rows"][0])
    with Project.open(partly_labelled) as project:
        tags = read_row_tags(project, 2).filter(pl.col("tag") == QUEUE_TAG)
    assert sorted(tags["row_id"].to_list()) == sorted(r["row_id"] for r in out["rows"])
    labelled = run_strata("queue", str(partly_labelled), "--version", "banking77-test:1", cwd=tmp_path)
    assert labelled.returncode == 2 and "Every row of banking77-test:1 is labelled" in labelled.stderr


def test_strata_queue_without_a_probe_suggests_making_one(tmp_path: Path, banking_small: Path) -> None:
    frame = pl.read_csv(banking_small).with_columns(category=pl.lit(None, dtype=pl.String))
    frame.write_csv(tmp_path / "none.csv")
    path = tmp_path / "p.strata"
    with Project.create(path) as project:
        import_dataset(project, tmp_path / "none.csv", RoleMapping(id="id", text="text", label="category"))
    done = run_strata("queue", str(path), "--strategy", "uncertainty", cwd=tmp_path)
    assert done.returncode == 2
    assert "no model run or probe" in done.stderr and "--probe always" in done.stderr
    chance = run_strata("queue", str(path), "--strategy", "random", "--size", "3", cwd=tmp_path)
    assert chance.returncode == 0, chance.stderr
    assert "no suggested labels" in chance.stdout and len(chance.stdout.splitlines()) >= 5


def test_the_window_queues_rows_and_labels_them_in_the_review_panel(  # type: ignore[no-untyped-def]
    partly_labelled: Path, window, qtbot
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.label_queue import LabelQueueController

    window.open_project(partly_labelled)
    window.show_version(2)
    qtbot.waitUntil(lambda: window.frame is not None and window.frame.version_id == 2, timeout=60_000)
    controller = LabelQueueController(window, window)
    controller.reviewReady.connect(window._review_disagreements)  # as the agreement view's queue
    controller.queue("uncertainty", 4)
    panel = window.curation.review
    qtbot.waitUntil(lambda: panel.queue is not None and panel.queue.tag == QUEUE_TAG, timeout=30_000)
    assert controller.last is not None
    assert [i.row_id for i in panel.queue.items] == controller.last.rows.tolist()
    assert "given: <b>None</b>" not in panel.labels.text() and "unlabelled" in panel.labels.text()
    for _ in range(4):
        QTest.keyClick(panel, Qt.Key.Key_A)  # accept the probe's suggestion
    assert len(panel.queue.corrections()) == 4
    versions = len(list_versions(window.project))
    QTest.mouseClick(panel.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(list_versions(window.project)) == versions + 1, timeout=30_000)
    new = list_versions(window.project)[-1].version_id
    qtbot.waitUntil(lambda: window.version_id == new, timeout=30_000)
    labels = read_rows(window.project, new, ["label_corrected"])["label_corrected"].to_list()
    assert [labels[r] for r in controller.last.rows.tolist()] == controller.last.suggested
