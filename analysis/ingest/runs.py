"""Model runs added to an existing version: another model's outputs, matched to the rows by id."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.ingest.checks import join_outputs, require_columns
from analysis.ingest.importer import new_run, read_label_map, validated_outputs
from analysis.ingest.roles import RoleMapping
from storage.errors import InputError
from storage.project import Project
from storage.readers import read_table
from storage.runs import add_run
from storage.versions import Version, get_version, read_rows


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
    version_id_col = version.roles.get("id")
    if roles.response:
        return _add_generative(project, version, Path(path), roles, encoding)
    if not isinstance(version_id_col, str):
        raise InputError("This version has no id column: a model run is matched to its rows by id.")
    source = str(path)
    outputs = read_table(path, encoding=encoding)
    out_id = roles.id or version_id_col
    require_columns(
        outputs, [out_id, *(c for c in (roles.pred, roles.proba_list, *roles.proba_cols) if c)], source
    )
    label_col = version.roles.get("label")
    rows = read_rows(project, version_id, [label_col] if isinstance(label_col, str) else [])
    data = rows.select(
        pl.col("_row_key").alias(out_id), *([pl.col(label_col)] if isinstance(label_col, str) else [])
    )
    joined = join_outputs(data, outputs.with_columns(pl.col(out_id).cast(pl.String)), out_id, source)
    labels = joined[label_col].cast(pl.String) if isinstance(label_col, str) else None
    mapping = read_label_map(label_map) if label_map else None
    class_names, preds, probs = validated_outputs(joined, roles, mapping, labels, source, classes)
    if preds is None:
        raise InputError(f"{source}: name the predicted-label column (--pred) or the probabilities.")
    run = new_run(roles.run_name or "model", str(Path(path).resolve()), class_names, preds, probs, labels)
    return add_run(project, version_id, run)


def _add_generative(project: Project, version: Version, path: Path, roles: RoleMapping, encoding: str) -> int:
    """Add a generative run: responses matched to the version's prompts by id or prompt hash."""
    from analysis.ingest.generative_run import generative_run, match_rows, run_name

    source = str(path)
    df = read_table(path, encoding=encoding)
    id_role, reference = version.roles.get("id"), version.roles.get("reference")
    if roles.reference and roles.reference != reference:
        raise InputError(
            "The reference answer belongs to the prompts: import it with them (--reference on `strata "
            f"import`); this version's reference column is {reference or 'not set'}."
        )
    id_column = id_role if isinstance(id_role, str) else None
    row_ids = match_rows(df, read_rows(project, version.version_id, []), roles, id_column, source)
    references = None
    if isinstance(reference, str):
        column = read_rows(project, version.version_id, [reference])[reference].cast(pl.String)
        references = [column[int(r)] for r in row_ids]
    order = row_ids.argsort()
    run = generative_run(
        df[order], roles, row_ids[order], None if references is None else [references[i] for i in order],
        run_name(df, roles, path, roles.run_name), str(path.resolve()),
    )  # fmt: skip
    return add_run(project, version.version_id, run)
