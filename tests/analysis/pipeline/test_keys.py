"""Stage keys: the same in every process, and changed by every parameter and by the upstream key."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.errors.spec import TagSpec
from analysis.map.clustering import ClusterSpec
from analysis.map.neighbours import NeighboursSpec
from analysis.map.projection import ProjectSpec
from analysis.pipeline.keys import spec_params, stage_key

ROOT = Path(__file__).resolve().parents[3]
SPECS = [NeighboursSpec(), ProjectSpec(), ClusterSpec(), TagSpec()]


def changed(value: object) -> object:
    """A different value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 1.5 + 0.01
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return value[:-1] if value else ("x",)
    if value is None:
        return 7
    raise TypeError(type(value))


def test_keys_are_the_same_in_another_process() -> None:
    key = stage_key("project", spec_params(ProjectSpec()), "upstream")
    code = (
        "from analysis.pipeline.keys import stage_key, spec_params\n"
        "from analysis.map.projection import ProjectSpec\n"
        "print(stage_key('project', spec_params(ProjectSpec()), 'upstream'))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert other.stdout.strip() == key
    assert len(key) == 64


@pytest.mark.parametrize(
    ("spec", "field"),
    [(s, f.name) for s in SPECS for f in dataclasses.fields(s)],
    ids=[f"{type(s).__name__}.{f.name}" for s in SPECS for f in dataclasses.fields(s)],
)
def test_every_parameter_changes_the_key(spec: object, field: str) -> None:
    base = stage_key("stage", spec_params(spec), "upstream")
    other = dataclasses.replace(spec, **{field: changed(getattr(spec, field))})  # type: ignore[type-var]
    assert stage_key("stage", spec_params(other), "upstream") != base


def test_the_upstream_key_and_the_stage_name_change_the_key() -> None:
    params = spec_params(ClusterSpec())
    base = stage_key("cluster", params, "a" * 64)
    assert stage_key("cluster", params, "b" * 64) != base
    assert stage_key("tag", params, "a" * 64) != base


def test_a_new_model_run_changes_only_the_keys_that_read_it(tmp_path: Path, banking_small: Path) -> None:
    """Through the pipeline's inputs: the cluster and tag stages use the model run (error rates, model
    modes), the map stages do not; keys are the same when computed again."""
    import polars as pl

    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.ingest.runs import import_run
    from analysis.pipeline.inputs import StageInputs
    from analysis.pipeline.runner import STAGES, PipelineSpec
    from analysis.progress import NullProgress
    from storage.project import Project

    pl.read_csv(banking_small).select("id", pred="category").write_csv(tmp_path / "run.csv")
    with Project.create(tmp_path / "p.strata") as project:
        version = import_dataset(
            project, banking_small, RoleMapping(id="id", text="text", label="category"), name="a"
        ).version_id

        def keys() -> dict[str, str]:
            inputs = StageInputs(project, version, PipelineSpec(), NullProgress())
            return {s: inputs.key(s) for s in STAGES}

        before, again = keys(), keys()
        import_run(project, version, tmp_path / "run.csv", RoleMapping(pred="pred", run_name="m"))
        after = keys()
    assert before == again
    # the probe (auto) is no longer wanted once the version has a run of its own
    assert [s for s in STAGES if before[s] != after[s]] == ["probe", "cluster_sphere", "cluster", "tag"]
