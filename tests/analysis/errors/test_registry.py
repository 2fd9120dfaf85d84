"""Adding an error mode is adding one registration: a mode registered here runs through the real tag
stage, is stored with its colour and description, and is counted by the error report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pytest

from analysis.errors.registry import REGISTRY, batch, error_mode
from analysis.errors.report import error_report
from analysis.errors.spec import ALL_MODES, TagSpec
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.pipeline.runner import PipelineSpec, run_pipeline
from storage.project import Project
from storage.tags import TagBatch, list_tags, read_row_tags

if TYPE_CHECKING:
    from analysis.errors.tag_inputs import TagInputs


@pytest.fixture
def unlabelled_mode() -> Iterator[str]:
    @error_mode("unlabelled", "#123456", "The row has no given label.", 99)
    def detect(inputs: TagInputs, _spec: TagSpec) -> TagBatch | None:
        given = inputs.stage.given_labels()
        if given is None:
            return None
        return batch("unlabelled", np.array([g is None for g in given]), np.ones(inputs.n))

    yield "unlabelled"
    del REGISTRY["unlabelled"]


def test_a_registered_mode_runs_through_the_tag_stage(tmp_path: Path, unlabelled_mode: str) -> None:
    data = pl.DataFrame(
        {"id": [f"r{i}" for i in range(12)], "label": ["x", None, "y"] * 4, "pred": ["x"] * 12}
    )
    data.write_csv(tmp_path / "scores.csv")
    spec = PipelineSpec(tag=TagSpec(modes=(*ALL_MODES, unlabelled_mode)))
    with Project.create(tmp_path / "p.strata") as project:
        version = import_dataset(
            project, tmp_path / "scores.csv", RoleMapping(id="id", label="label", pred="pred")
        ).version_id
        reports = run_pipeline(project, version, spec, stages=("tag",))
        tags = read_row_tags(project, version).filter(pl.col("tag") == unlabelled_mode)
        styles = {t.name: (t.colour, t.description, t.kind) for t in list_tags(project)}
        report = error_report(project, version)
    assert "unlabelled 4" in reports[-1].detail
    assert tags["row_id"].to_list() == [1, 4, 7, 10]
    assert styles[unlabelled_mode] == ("#123456", "The row has no given label.", "error_mode")
    assert report["modes"][unlabelled_mode]["rows"] == 4
