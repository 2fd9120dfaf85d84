"""Model runs added to an existing version: another model's outputs, matched to the rows by id."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import select

from analysis.catalog import get_version, read_rows
from analysis.ingest.importer import (
    _join_outputs,
    _model_outputs,
    _require_columns,
    _write_predictions,
    read_label_map,
)
from analysis.ingest.roles import RoleMapping
from storage.errors import InputError
from storage.project import Project
from storage.readers import read_table
from storage.schema import ModelRun


def import_run(
    project: Project,
    version_id: int,
    path: str | Path,
    roles: RoleMapping,
    *,
    encoding: str = "utf-8",
    label_map: str | Path | None = None,
    classes: tuple[str, ...] | None = None,
) -> int:
    """Add a model run (another model's outputs) to an existing version, matched on its ids.

    Parameters
    ----------
    roles : RoleMapping
        ``id`` names the outputs file's id column; ``pred`` and / or probabilities as for an import;
        ``run_name`` names the run.
    classes : tuple of str, optional
        Every class of the task, when the model predicts classes no row is labelled with.

    Returns
    -------
    int
        The new run's id.

    Raises
    ------
    InputError
        When the version has no id column, a run of that name exists, a named column is missing, the
        ids do not match one-to-one, or the outputs fail the import checks (probabilities, label
        set); nothing is written then.
    """
    version = get_version(project, version_id)
    with project.session() as s:
        taken = set(s.scalars(select(ModelRun.name).where(ModelRun.version_id == version_id)))
    if roles.run_name in taken:
        raise InputError(
            f"This version already has a model run named '{roles.run_name}'; choose another --run-name "
            f"(taken: {', '.join(sorted(taken))})."
        )
    version_id_col = version.roles.get("id")
    if not isinstance(version_id_col, str):
        raise InputError("This version has no id column: a model run is matched to its rows by id.")
    source = str(path)
    outputs = read_table(path, encoding=encoding)
    out_id = roles.id or version_id_col
    _require_columns(
        outputs, [out_id, *(c for c in (roles.pred, roles.proba_list, *roles.proba_cols) if c)], source
    )
    label_col = version.roles.get("label")
    rows = read_rows(project, version_id, [label_col] if isinstance(label_col, str) else [])
    data = rows.select(
        pl.col("_row_key").alias(out_id), *([pl.col(label_col)] if isinstance(label_col, str) else [])
    )
    joined = _join_outputs(data, outputs.with_columns(pl.col(out_id).cast(pl.String)), out_id, source)
    labels = joined[label_col].cast(pl.String) if isinstance(label_col, str) else None
    mapping = read_label_map(label_map) if label_map else None
    class_names, preds, probs = _model_outputs(joined, roles, mapping, labels, source, classes)
    if preds is None:
        raise InputError(f"{source}: name the predicted-label column (--pred) or the probabilities.")
    with project.session() as s:
        run = ModelRun(
            version_id=version_id,
            name=roles.run_name,
            label_names=class_names,
            source_path=str(Path(path).resolve()),
            has_probabilities=probs is not None,
        )
        s.add(run)
        s.flush()
        _write_predictions(s.connection(), run.id, probs, class_names, preds, labels)
        project.log("import_run", {"version": version_id, "run": roles.run_name, "source": source}, s)
        return int(run.id)
