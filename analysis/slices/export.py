"""Export of curated subsets with a manifest that traces every row back to its source.

The data file and its manifest are written through :mod:`storage.outputs`: atomically (a failed export
leaves no partial file), never over the open project, and over an existing file only with ``force``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import polars as pl

from analysis.slices.export_rows import ExportOptions as ExportOptions  # re-exported for callers
from analysis.slices.export_rows import select_export_rows
from analysis.slices.filters import describe
from analysis.slices.tokens import token_totals
from analysis.view_frame import load_view_frame
from storage.errors import InputError
from storage.exports import record_export
from storage.outputs import atomic_write, check_output, protected_paths
from storage.project import Project, current_user
from storage.readers import file_sha256
from storage.runs import list_runs
from storage.versions import get_version

FORMATS = ("csv", "parquet", "jsonl")
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def format_for(path: str | Path, requested: str | None) -> str:
    """The export format: the one the file's extension names, checked against ``requested``.

    Parameters
    ----------
    path : str or pathlib.Path
        The output file.
    requested : str or None
        A format asked for explicitly (``--format``), or None to follow the extension.

    Returns
    -------
    str
        ``csv``, ``parquet`` or ``jsonl``.

    Raises
    ------
    InputError
        When the format is unknown, the extension names no format and none is given, or the two
        disagree (``--format parquet --out x.csv``).
    """
    if requested is not None and requested not in FORMATS:
        raise InputError(f"Unknown export format '{requested}'; use one of {', '.join(FORMATS)}.")
    suffix = Path(path).suffix.lower()
    implied = SUFFIXES.get(suffix)
    if requested is None:
        if implied is None:
            known = ", ".join(SUFFIXES)
            raise InputError(
                f"Cannot tell the format of '{Path(path).name}' from its extension; end the name with one "
                f"of {known}, or give --format."
            )
        return implied
    if implied is not None and implied != requested:
        raise InputError(
            f"--format {requested} does not match the extension '{suffix}' of {Path(path).name} "
            f"(a {implied} file); change one of them."
        )
    return requested


def _write(frame: pl.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        frame.write_csv(path)
    elif fmt == "parquet":
        frame.write_parquet(path)
    else:
        frame.write_ndjson(path)


def export_rows(
    project: Project,
    version_id: int,
    filter_spec: dict[str, Any],
    out_path: str | Path,
    options: ExportOptions,
    *,
    force: bool = False,
) -> dict[str, Any]:
    """Export the rows of a version matching ``filter_spec`` and write ``<out>.manifest.json`` beside them.

    ``force`` allows replacing an existing output file and manifest; the project file and its
    companions are never written over (:mod:`storage.outputs`).

    Returns
    -------
    dict
        The manifest: project, dataset, version and source SHA-256, filter, options, row keys, counts per
        label, the output's SHA-256, Strata's version, time and author.

    Raises
    ------
    InputError
        For an unknown format or column, a format that does not match the extension, an output path
        that may not be written, no matching rows, or corrected labels that do not exist.
    """
    guarded = protected_paths(project.path)
    out = check_output(out_path, force=force, protected=guarded)
    fmt = format_for(out_path, options.format)
    manifest_path = out.with_name(out.name + ".manifest.json")
    check_output(manifest_path, force=force, protected=guarded)
    ver = get_version(project, version_id)
    frame = load_view_frame(project, version_id)
    table = select_export_rows(project, frame, filter_spec, options)
    if table.height == 0:
        raise InputError(f"No rows match {describe(filter_spec)}; nothing was written.")
    label = frame.label_column
    original_label = label[: -len("_corrected")] if label and label.endswith("_corrected") else label
    columns = list(options.columns or [c for c in ver.column_types if c != f"{original_label}_corrected"])
    if options.corrected_labels:
        if not label or not label.endswith("_corrected"):
            raise InputError("This version has no corrected labels; review label issues and save them first.")
        table = table.with_columns(pl.col(label).alias(str(original_label)))
    unknown = [c for c in columns if c not in table.columns]
    if unknown:
        available = ", ".join(c for c in table.columns if not c.startswith("_"))
        raise InputError(f"Unknown column(s) {unknown}; available: {available}.")
    data = table.select(columns)
    salt = secrets.token_hex(16)
    for column in options.redact:
        if column not in data.columns:
            raise InputError(f"Cannot redact '{column}': it is not exported.")
        if options.redact_mode == "drop":
            data = data.drop(column)
        else:
            data = data.with_columns(
                pl.col(column)
                .cast(pl.String)
                .map_elements(
                    lambda v: hashlib.sha256((salt + v).encode()).hexdigest(), return_dtype=pl.String
                )
            )
    if options.redact_pii:
        from analysis.pii import redact_column

        texts = [c for c, t in data.schema.items() if t == pl.String and c not in options.redact]
        data = data.with_columns([redact_column(data[c]) for c in texts])
    atomic_write(out, lambda tmp: _write(data, tmp, fmt), force=force, protected=guarded)
    label_counts: dict[str, int] = {}
    if original_label is not None and original_label in table.columns:
        label_counts = {
            str(k): int(v) for k, v in table[original_label].cast(pl.String).value_counts().iter_rows()
        }
    notes = sorted(
        {n for n in frame.tags["note"].unique().to_list() if n} if not frame.tags.is_empty() else set()
    )
    manifest: dict[str, Any] = {
        "strata_version": _strata_version(),
        "created_at": datetime.now(UTC).isoformat(),
        "author": current_user(),
        "project": str(project.path.resolve()),
        # The export itself is a plain file: say that it left an encrypted project.
        "project_encrypted": project.encrypted,
        "recorded_in_project": not project.read_only,
        "dataset": ver.dataset,
        "version": ver.number,
        "version_id": version_id,
        "source_path": ver.source_path,
        "source_sha256": ver.source_sha256,
        "filter": describe(filter_spec),
        "filter_spec": filter_spec,
        "options": asdict(options)
        | {"format": fmt}
        | {"salt": "random per export, not kept" if options.redact else None},
        "rows": data.height,
        "columns": data.columns,
        "row_keys": table["_row_key"].to_list(),
        "label_counts": {str(k): int(v) for k, v in sorted(label_counts.items(), key=lambda kv: str(kv[0]))},
        # with the bundled tokenizer; empty before the pipeline's tokens stage (responses: at import)
        "tokens": token_totals(table),
        # where the scores behind tags came from: imported outputs, or a probe Strata made from the labels
        "model_runs": [
            {"name": r.name, "kind": r.kind, "details": r.details} for r in list_runs(project, version_id)
        ],
        "notes": notes,
        "approval": approval_record(project, version_id),
        "output": {
            "path": str(out.resolve()),
            "format": fmt,
            "sha256": file_sha256(out),
            "bytes": out.stat().st_size,
        },
    }
    atomic_write(
        manifest_path,
        lambda tmp: _write_text(tmp, json.dumps(manifest, indent=2, default=str)),
        force=True,  # checked above, before the data file was written
        protected=guarded,
    )
    if project.read_only:  # the file and its manifest are the record; the project cannot take one
        return manifest
    record_export(project, manifest, filter_spec)
    return manifest


def approval_record(project: Project, version_id: int) -> dict[str, Any]:
    """The manifest's word on approval: who approved the version and when, or that nobody did."""
    from storage.approvals import current_approval

    approval = current_approval(project, version_id)
    if approval is None:
        return {"approved": False, "warning": "this version is not approved (strata approve)"}
    return {"approved": True} | approval.as_dict()


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _strata_version() -> str:
    try:
        return version("strata")
    except PackageNotFoundError:
        return "unknown"
