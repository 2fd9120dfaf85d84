"""Probe runs on real BANKING77 embeddings: out-of-fold probabilities that find planted label flips, a
labels-only version getting label issues through the pipeline and the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.probe import ProbeSpec, out_of_fold_probabilities
from analysis.pipeline.runner import PipelineSpec, run_pipeline
from analysis.progress import Cancelled, NullProgress
from storage.embeddings import load_vectors
from storage.project import Project
from storage.runs import list_runs, read_predictions
from storage.tags import read_row_tags
from storage.versions import read_rows, resolve_version
from tests.conftest import run_strata


class Folds(NullProgress):
    def __init__(self, cancel_after: int | None = None) -> None:
        self.advanced, self.cancel_after = 0, cancel_after

    def advance(self, n: int = 1) -> None:
        self.advanced += n

    def cancelled(self) -> bool:
        return self.cancel_after is not None and self.advanced >= self.cancel_after


@pytest.fixture(scope="module")
def banking(sample_project_master: Path) -> tuple[np.ndarray, list[str]]:
    """The sample's 3,080 BANKING77 test rows: embeddings and labels."""
    with Project.open(sample_project_master) as project:
        rows = read_rows(project, resolve_version(project), ["label"])
        vectors = load_vectors(project, 1, rows["_content_hash"].to_list())
    return vectors, rows["label"].to_list()


def test_out_of_fold_probabilities_rank_planted_flips_first(banking: tuple[np.ndarray, list[str]]) -> None:
    vectors, labels = banking
    rng = np.random.default_rng(0)
    classes = sorted(set(labels))
    flipped = rng.random(len(labels)) < 0.1
    noisy: list[str | None] = [
        str(rng.choice([c for c in classes if c != lab])) if f else lab
        for lab, f in zip(labels, flipped, strict=True)
    ]
    unlabelled = rng.random(len(labels)) < 0.05
    noisy = [None if u else lab for lab, u in zip(noisy, unlabelled, strict=True)]
    progress = Folds()
    result = out_of_fold_probabilities(vectors, noisy, ProbeSpec(), progress)
    p = result.probabilities
    assert progress.advanced == result.folds == 5 and result.classes == classes
    assert p.shape == (len(labels), len(classes)) and np.allclose(p.sum(axis=1), 1.0)
    truth = np.array([classes.index(lab) for lab in labels])
    assert (p[unlabelled].argmax(axis=1) == truth[unlabelled]).mean() > 0.7  # rows without a label too
    assert 0.6 < result.accuracy < 0.95  # out of fold, on labels of which 10% are wrong
    known = ~unlabelled
    given = np.array([classes.index(lab) for lab in np.array(noisy, dtype=object)[known]])
    self_confidence = p[known][np.arange(known.sum()), given]
    assert roc_auc_score(flipped[known], -self_confidence) > 0.9


def test_the_probe_stops_between_folds_when_cancelled(banking: tuple[np.ndarray, list[str]]) -> None:
    vectors, labels = banking
    progress = Folds(cancel_after=2)
    with pytest.raises(Cancelled):
        out_of_fold_probabilities(vectors, list(labels), ProbeSpec(), progress)
    assert progress.advanced == 2


def test_one_class_is_not_enough_for_a_probe(banking: tuple[np.ndarray, list[str]]) -> None:
    vectors, labels = banking
    with pytest.raises(Exception, match="at least two classes"):
        out_of_fold_probabilities(vectors[:50], [labels[0]] * 50, ProbeSpec(), NullProgress())


@pytest.fixture(scope="module")
def labels_only(tmp_path_factory: pytest.TempPathFactory, banking_small: Path) -> Path:
    """600 BANKING77 rows with text and label, no model outputs; a tenth of the labels swapped."""
    work = tmp_path_factory.mktemp("labels_only")
    frame = pl.read_csv(banking_small)
    categories = frame["category"].to_list()
    swapped = [categories[(i + 7) % len(categories)] if i % 10 == 0 else c for i, c in enumerate(categories)]
    frame.with_columns(category=pl.Series(swapped)).write_csv(work / "labels.csv")
    path = work / "labels.strata"
    with Project.create(path) as project:
        import_dataset(project, work / "labels.csv", RoleMapping(id="id", text="text", label="category"))
    return path


def test_a_labels_only_version_gets_label_issues_from_a_probe_run(labels_only: Path) -> None:
    with Project.open(labels_only) as project:
        version = resolve_version(project)
        reports = {r.stage: r for r in run_pipeline(project, version)}
        assert "5-fold probe" in reports["probe"].detail
        (run,) = list_runs(project, version)
        assert run.name == "probe" and run.kind == "probe" and run.details is not None
        assert run.details["folds"] == 5 and 0 < run.details["accuracy"] < 1
        assert "probe" in run.title and "accuracy" in run.title
        predictions = read_predictions(project, run.run_id)
        assert predictions["loss"].null_count() == 0  # every row labelled
        tags = read_row_tags(project, version)
        issues = set(tags.filter(pl.col("tag") == "label_issue")["row_id"].to_list())
        swapped = set(range(0, 600, 10))
        # 600 rows of 77 intents (8 a class) make a weak probe; still most swaps are found, and a
        # swapped row is flagged far more often than another
        found = len(issues & swapped) / len(swapped)
        assert found > 0.5 and found > 2.5 * len(issues - swapped) / (600 - len(swapped))
        # a second run reuses it; a probe "always" on a version with its own probe is the same probe
        again = {r.stage: r for r in run_pipeline(project, version)}
        assert again["probe"].cached and again["tag"].cached
        never_spec = PipelineSpec(probe=ProbeSpec(mode="never"))
        never = {r.stage: r for r in run_pipeline(project, version, never_spec)}
        assert never["probe"].detail == "skipped: not asked for"


def test_strata_run_makes_a_probe_and_errors_lists_label_issues(labels_only: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.strata"
    path.write_bytes(labels_only.read_bytes())
    run = run_strata("run", str(path), "--probe", "always", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "5-fold probe, out-of-fold accuracy" in run.stdout
    errors = run_strata("errors", str(path), cwd=tmp_path)
    assert errors.returncode == 0, errors.stderr
    assert "no model run with labels" not in errors.stdout and "label_issue" in errors.stdout


def test_the_window_runs_a_probe_for_a_labels_only_version(  # type: ignore[no-untyped-def]
    labels_only: Path, tmp_path: Path, window, qtbot
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    path = tmp_path / "copy.strata"
    path.write_bytes(labels_only.read_bytes())
    window.open_project(path)
    QTest.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # Pipeline > Run all stages
    qtbot.waitUntil(lambda: window.frame is not None and window.frame.run_name is not None, timeout=120_000)
    assert window.frame.run_name.startswith("probe (5-fold probe, out-of-fold accuracy")
    tree = window.project_panel.tree
    items = [tree.topLevelItem(0)]
    texts = []
    while items:
        item = items.pop()
        texts.append(item.text(0))
        items.extend(item.child(i) for i in range(item.childCount()))
    assert any(t.startswith("run: probe (5-fold probe") for t in texts)
    errors = window.curation.errors.table
    modes = [errors.item(r, 0).text() for r in range(errors.rowCount())]
    assert any("label issue" in m.lower() or "label_issue" in m for m in modes), modes
