"""Import a data file (and a model's outputs on it) into a project as a new dataset version.

Everything is validated before anything is written (the table checks are in
:mod:`analysis.ingest.checks`), and the writes happen in one transaction: a failed import leaves the
project exactly as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.ingest.annotations import AnnotationSpec, prepare_annotations
from analysis.ingest.checks import (
    check_ids,
    check_system_columns,
    join_outputs,
    parse_time,
    require_columns,
)
from analysis.ingest.hashing import content_hashes
from analysis.ingest.model_outputs import (
    check_known,
    probability_matrix,
    row_scores,
    validate_probabilities,
)
from analysis.ingest.roles import RoleMapping
from storage.errors import InputError, StrataError
from storage.project import Project
from storage.readers import file_sha256, read_table
from storage.rows import logical_type
from storage.runs import NewRun
from storage.versions import NewVersion, add_version


@dataclass(frozen=True)
class ImportResult:
    """What an import made: ids of the dataset, version and model run (if any), the row count, and
    the dataset's name and the version's number (as a user counts them: 1, 2, …); the number of
    annotations stored and notes on what the import did with them."""

    dataset_id: int
    version_id: int
    run_id: int | None
    rows: int
    dataset: str = ""
    number: int = 1
    annotations: int = 0
    notes: tuple[str, ...] = ()
    run_name: str = ""


def preview_file(
    path: str | Path, encoding: str = "utf-8", n_rows: int = 100
) -> tuple[pl.DataFrame | None, str]:
    """The first ``n_rows`` of a data file for the import dialog's preview, or None and the reason.

    Returns
    -------
    (polars.DataFrame or None, str)
        The rows and "", or None and a message saying what is wrong with the file.
    """
    try:
        return read_table(path, encoding=encoding, n_rows=n_rows), ""
    except StrataError as err:
        return None, str(err)


def read_label_map(path: str | Path) -> list[str] | dict[str, str]:
    """Read a label mapping file.

    Accepts a JSON list of class names (index = integer label), a JSON object ``{id: name}``, or a text
    file with one ``name`` or ``id<TAB>name`` per line (TweetEval's ``mapping.txt``).

    Returns
    -------
    list of str or dict of str to str
        Class names in order, or integer-label strings mapped to names.

    Raises
    ------
    InputError
        When the file is missing or malformed.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: label map not found.")
    raw = p.read_text(encoding="utf-8").strip()
    if raw.startswith(("[", "{")):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as err:
            raise InputError(f"{p}: label map is not valid JSON ({err.msg}, line {err.lineno}).") from None
        return [str(x) for x in data] if isinstance(data, list) else {str(k): str(v) for k, v in data.items()}
    pairs = [line.split("\t") for line in raw.split("\n") if line.strip()]
    if all(len(pr) == 2 for pr in pairs):
        return {k.strip(): v.strip() for k, v in pairs}
    return [pr[0].strip() for pr in pairs]


def _apply_label_map(series: pl.Series, mapping: list[str] | dict[str, str], source: str) -> pl.Series:
    table = mapping if isinstance(mapping, dict) else {str(i): n for i, n in enumerate(mapping)}
    as_text = series.cast(pl.String)
    unknown = as_text.filter(~as_text.is_in(list(table)) & as_text.is_not_null()).unique().to_list()
    if unknown:
        raise InputError(
            f"{source}: values {sorted(unknown)[:5]} of '{series.name}' are not in the label map."
        )
    return as_text.replace_strict(table, default=None, return_dtype=pl.String)


def validated_outputs(
    df: pl.DataFrame,
    roles: RoleMapping,
    mapping: list[str] | dict[str, str] | None,
    labels: pl.Series | None,
    source: str,
    classes: tuple[str, ...] | None = None,
) -> tuple[list[str], pl.Series | None, NDArray[np.float64] | None]:
    """Validated class names, predicted labels and probabilities named by ``roles``.

    ``classes`` lists every class of the task when neither the probabilities nor the labels show them
    all (a model that predicts classes no row is labelled with).
    """
    require_columns(df, [c for c in (roles.pred, roles.proba_list, *roles.proba_cols) if c], source)
    preds = df[roles.pred] if roles.pred else None
    if mapping is not None and preds is not None:
        preds = _apply_label_map(preds, mapping, source)
    preds = preds.cast(pl.String) if preds is not None else None
    map_names = (list(mapping.values()) if isinstance(mapping, dict) else mapping) if mapping else None
    probs = probability_matrix(df, roles, map_names, source)
    if probs is not None:
        validate_probabilities(probs[0], source)
    if classes and probs and set(classes) != set(probs[1]):
        raise InputError(
            f"{source}: --classes lists {len(classes)} classes but the probability columns name "
            f"{len(probs[1])}; they must be the same classes."
        )
    class_names = (
        probs[1]
        if probs
        else list(classes or ())
        or map_names
        or sorted(set(labels.drop_nulls().to_list()) if labels is not None else [])
    )
    if labels is not None and class_names:
        check_known(labels, class_names, "labels", source)
    if preds is None and probs is not None:
        preds = pl.Series([class_names[i] for i in probs[0].argmax(axis=1)], dtype=pl.String)
    if preds is not None:
        if preds.null_count():
            raise InputError(f"{source}: predicted label is empty in {preds.null_count()} row(s).")
        check_known(preds, class_names, "predicted labels", source)
    return class_names, preds, probs[0] if probs is not None else None


def import_dataset(
    project: Project,
    path: str | Path,
    roles: RoleMapping,
    *,
    name: str | None = None,
    encoding: str = "utf-8",
    outputs_path: str | Path | None = None,
    label_map: str | Path | None = None,
    note: str = "",
    version_of: str | None = None,
    classes: tuple[str, ...] | None = None,
    annotation: AnnotationSpec | None = None,
) -> ImportResult:
    """Import ``path`` (and optionally a model's outputs) as version 1 of a new dataset.

    Parameters
    ----------
    project : storage.project.Project
        Target project.
    path : str or pathlib.Path
        Data file (CSV, TSV, Parquet, JSONL, JSON, Arrow).
    roles : RoleMapping
        Which column plays which role; model outputs may be in ``path`` or in ``outputs_path``.
    name : str, optional
        Dataset name; defaults to the file's stem.
    encoding : str, default "utf-8"
        Encoding of text formats.
    outputs_path : str or pathlib.Path, optional
        A separate file of model outputs, joined to the data on ``roles.id``.
    label_map : str or pathlib.Path, optional
        Mapping of integer labels to class names (see :func:`read_label_map`).
    version_of : str, optional
        Import as the next version of this existing dataset instead of a new dataset.
    classes : tuple of str, optional
        Every class of the task (when predictions name classes that no row is labelled with).
    annotation : AnnotationSpec, optional
        Several annotators' labels, wide or long, and a one-hot collapse
        (:func:`analysis.ingest.annotations.prepare_annotations`); stored in the ``annotation`` table.

    Returns
    -------
    ImportResult

    Raises
    ------
    InputError
        For an empty or malformed file, wrong encoding, missing mapped column, a column named like
        Strata's own row columns, duplicate ids, probabilities outside [0, 1] or not summing to
        1 ± 1e-3, or labels outside the label set. The project is left unchanged.
    """
    path = Path(path)
    source = str(path)
    df = read_table(path, encoding=encoding)
    check_system_columns(df, source)
    prepared = prepare_annotations(df, roles, annotation, source) if annotation else None
    if prepared is not None:
        df, roles = prepared.frame, prepared.roles
    if outputs_path is not None:
        if roles.id is None:
            raise InputError("Model outputs in a separate file are joined on ids: map an id column (--id).")
        require_columns(df, [roles.id], source)
        df = join_outputs(df, read_table(outputs_path, encoding=encoding), roles.id, str(outputs_path))
        source = f"{path} + {outputs_path}"
    mapped = [
        c for c in (roles.id, roles.text, roles.label, roles.time, roles.split, roles.group, roles.pred) if c
    ]
    require_columns(
        df,
        [
            *mapped,
            *roles.annotators,
            *([roles.label_confidence] if roles.label_confidence else []),
            *roles.proba_cols,
            *([roles.proba_list] if roles.proba_list else []),
        ],
        source,
    )
    if roles.id:
        check_ids(df, roles.id, source)
    df = parse_time(df, roles, source)

    mapping = read_label_map(label_map) if label_map else None
    labels = df[roles.label] if roles.label else None
    if mapping is not None and labels is not None:
        labels = _apply_label_map(labels, mapping, source)
    if labels is not None:
        # an empty or blank label cell (CSV `""`, JSON "") is a row without a label, not a class ""
        labels = labels.cast(pl.String)
        labels = (
            pl.select(pl.when(labels.str.strip_chars() != "").then(labels)).to_series().alias(labels.name)
        )
    class_names, preds, probs = validated_outputs(df, roles, mapping, labels, source, classes)

    output_cols = set(roles.proba_cols) | set(roles.run_columns) | {roles.pred, roles.proba_list} - {None}
    if roles.proba_prefix:
        output_cols |= {c for c in df.columns if c.startswith(roles.proba_prefix)}
    if roles.response:
        from analysis.ingest.generative_run import generator_column

        output_cols |= {generator_column(df, roles)} - {None}
    data = df.drop([c for c in output_cols if c in df.columns and c != roles.label])
    if labels is not None and roles.label:
        data = data.with_columns(labels.alias(roles.label))
    texts = data[roles.text].cast(pl.String).fill_null("").to_list() if roles.text else None
    if texts is None:
        texts = [json.dumps(r, default=str, sort_keys=True) for r in data.iter_rows(named=True)]
    hashes = content_hashes(texts)
    keys = data[roles.id].cast(pl.String) if roles.id else pl.Series(hashes)
    types = {c: logical_type(t) for c, t in data.schema.items()}
    rows = data.with_columns(
        _row_id=pl.int_range(data.height, dtype=pl.Int64), _row_key=keys, _content_hash=pl.Series(hashes)
    )

    dataset_name = version_of or name or path.stem
    new = NewVersion(
        dataset=dataset_name,
        next_of_existing=version_of is not None,
        rows=rows,
        column_types=types,
        roles=roles.stored()
        | {"row_key": "id" if roles.id else "text hash"}
        | ({"annotation": prepared.record} if prepared and prepared.record else {}),
        label_names=class_names,
        source_path=str(path.resolve()),
        source_sha256=file_sha256(path),
        note=note,
        log_detail={"dataset": dataset_name, "source": source},
        annotations=prepared.annotations if prepared and prepared.record else None,
    )
    run = (
        new_run(roles.run_name or "model", str(outputs_path or path), class_names, preds, probs, labels)
        if preds is not None
        else _generative(df, data, roles, source, path)
    )
    version, run_id = add_version(project, new, run)
    from analysis.ingest.pii_tags import scan_version

    pii_note = scan_version(project, version.version_id, data)
    return ImportResult(
        version.dataset_id,
        version.version_id,
        run_id,
        data.height,
        dataset_name,
        version.number,
        prepared.annotations.height if prepared else 0,
        (prepared.notes if prepared else ()) + ((pii_note,) if pii_note else ()),
        run.name if run is not None else "",
    )


def _generative(
    df: pl.DataFrame, data: pl.DataFrame, roles: RoleMapping, source: str, path: Path
) -> NewRun | None:
    """The generative run of a file of prompts and responses (None without a response column)."""
    if roles.response is None:
        return None
    if roles.text is None:
        raise InputError("A generative run needs its prompts: name the prompt column with --prompt.")
    from analysis.ingest.generative_run import generative_run, run_name

    references = data[roles.reference].cast(pl.String).to_list() if roles.reference else None
    rows = np.arange(df.height, dtype=np.int64)
    return generative_run(df, roles, rows, references, run_name(df, roles, path, roles.run_name), source)


def new_run(
    name: str,
    source_path: str,
    class_names: list[str],
    preds: pl.Series,
    probs: NDArray[np.float64] | None,
    labels: pl.Series | None,
) -> NewRun:
    """A model run to write: predictions with confidence, margin and loss derived from ``probs``."""
    predicted = preds.to_list()
    scores = row_scores(probs, class_names, predicted, labels.to_list() if labels is not None else None)
    return NewRun(
        name=name,
        label_names=class_names,
        source_path=source_path,
        predicted=predicted,
        confidence=scores["confidence"],
        margin=scores["margin"],
        loss=scores["loss"],
        probabilities=probs,
    )
