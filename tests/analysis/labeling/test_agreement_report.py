"""Agreement of a stored version: ConvAbuse's long file imported, with and without a model run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.ingest.annotations import AnnotationSpec
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.labeling.agreement_report import agreement_for_version, compute_agreement
from analysis.labeling.consensus import vote_probabilities
from analysis.labeling.matrix import annotation_matrix
from storage.annotations import read_annotations
from storage.errors import InputError
from storage.project import Project
from storage.runs import NewRun, add_run

ID = "conv_id,prev_agent,prev_user,agent,user"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Project:
    path = tmp_path_factory.mktemp("agreement") / "p.strata"
    project = Project.create(path)
    import_dataset(
        project,
        data_dir / "convabuse" / "ConvAbuseEMNLPfull.csv",
        RoleMapping(id=ID, text="user"),
        annotation=AnnotationSpec(annotator="annotator_id", one_hot="is_abuse"),
        name="convabuse",
    )
    return project


def test_the_full_file_figures_and_the_texts_of_the_disagreed_rows(project: Project) -> None:
    result = agreement_for_version(project, 1, top=10)
    assert result.rows == 4185 and len(result.annotators) == 8
    assert result.labels == ("1", "0", "-1", "-2", "-3")  # the one-hot columns' order, kept at import
    assert 0.40 < result.alpha_nominal < result.alpha_ordinal < 0.70
    assert result.disagreements.height == 10
    assert result.disagreements["text"].null_count() == 0
    # the palette follows the version's classes (by name), not the scale
    assert result.colour_indices.tolist() == [4, 3, 0, 1, 2]
    as_json = result.as_dict(top=3)
    assert len(as_json["most_disagreement"]) == 3 and as_json["probabilities"] == "votes"


def test_a_model_run_gives_crowdlab_its_probabilities_in_its_own_class_order(project: Project) -> None:
    annotations = read_annotations(project, 1)
    matrix = annotation_matrix(annotations, ["1", "0", "-1", "-2", "-3"])
    votes = vote_probabilities(matrix.counts)
    classes = ["-1", "-2", "-3", "0", "1"]
    probs = np.zeros((4185, 5))
    probs[matrix.row_ids] = votes[:, [matrix.labels.index(c) for c in classes]]
    run = NewRun(
        "votes-as-model", classes, "test", [classes[i] for i in probs.argmax(axis=1)], probabilities=probs
    )
    add_run(project, 1, run)
    with_run = agreement_for_version(project, 1)
    assert with_run.probabilities_source == "votes-as-model"
    # the vote shares, only in the run's class order: CROWDLAB's result is the same as with none
    plain = compute_agreement(annotations, ["1", "0", "-1", "-2", "-3"])
    assert with_run.consensus["consensus"].to_list() == plain.consensus["consensus"].to_list()
    np.testing.assert_allclose(with_run.consensus["quality"], plain.consensus["quality"], atol=1e-5)


def test_a_version_without_annotations_says_how_to_add_them(tmp_path: Path, banking_small: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        import_dataset(
            project, banking_small, RoleMapping(id="id", text="text", label="category"), name="bank"
        )
        with pytest.raises(
            InputError, match=r"bank:1 has no annotations.*--annotator-cols.*--annotator COLUMN"
        ):
            agreement_for_version(project, 1)
