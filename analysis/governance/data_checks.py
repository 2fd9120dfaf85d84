"""Contract checks on one version's own rows: schema, labels, nulls, duplicates, leakage, label issues."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from analysis.errors.duplicates import exact_duplicate_groups, split_leaks
from analysis.governance.contract import Contract
from analysis.governance.results import CheckResult, could_not_run, limit
from analysis.slices.filters import tag_column
from analysis.view_frame import FrameSource
from storage.project import Project
from storage.versions import Version

# contract type → the logical types stored for a column (storage.rows.logical_type)
TYPE_MATCHES = {
    "string": {"String"},
    "integer": {"Int64"},
    "float": {"Float64"},
    "number": {"Int64", "Float64"},
    "boolean": {"Boolean"},
    "date": {"Date"},
    "datetime": {"Datetime"},
}
NEEDS_TAGS = "the tag stage has not run on this version: run `strata run P` (or `strata tag P`) first"


@dataclass(frozen=True)
class GateInputs:
    """What the checks read: the version, its filter table (rows, run columns, ``tag_<name>`` columns),
    whether the tag stage has run (without it, absent tag columns mean "not measured"), and where
    other versions' frames come from."""

    project: Project
    version: Version
    table: pl.DataFrame
    tagged: bool
    frames: FrameSource

    @property
    def label(self) -> str | None:
        label = self.version.roles.get("label")
        return label if isinstance(label, str) and label in self.table.columns else None

    def tag_share(self, tag: str) -> float:
        column = tag_column(tag)
        hits = int(self.table[column].sum()) if column in self.table.columns else 0
        return hits / max(self.table.height, 1)

    @property
    def exact_copies(self) -> int:
        """Rows whose content hash an earlier row has."""
        return self.table.height - self.table["_content_hash"].n_unique()


def user_columns(version: Version) -> list[str]:
    """The file's columns, in the version's order."""
    return [c for c in version.column_types if not c.startswith("_")]


def schema_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """``[schema] required``: each named column exists with the declared type."""
    types = inputs.version.column_types
    for column, kind in contract.get("schema", "required", {}).items():
        actual = types.get(column)
        check = f"schema.{column}"
        if actual is None:
            yield CheckResult(
                check, "missing", kind, False, "type", f"columns: {', '.join(user_columns(inputs.version))}"
            )
            continue
        ok = kind == "any" or actual in TYPE_MATCHES[kind]
        yield CheckResult(check, actual.lower(), kind, ok, "type")


def label_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """``[labels]``: no label outside the allowed set; at least ``min_rows_per_class`` rows per class."""
    allowed = contract.get("labels", "allowed")
    minimum = contract.get("labels", "min_rows_per_class")
    if allowed is None and minimum is None:
        return
    if inputs.label is None:
        why = "the version has no label column (import it with --label)"
        if allowed is not None:
            yield could_not_run("labels.allowed", "= 0 rows", why)
        if minimum is not None:
            yield could_not_run("labels.min_rows_per_class", f"≥ {minimum}", why)
        return
    labels = inputs.table[inputs.label].cast(pl.String)
    counts = labels.drop_nulls().value_counts(sort=True)
    per_class = dict(zip(counts[inputs.label].to_list(), counts["count"].to_list(), strict=True))
    if allowed is not None:
        allowed_set = {str(a) for a in allowed}
        unknown = {k: v for k, v in per_class.items() if k not in allowed_set}
        rows = sum(unknown.values())
        shown = ", ".join(f"'{k}' ({v:,})" for k, v in list(unknown.items())[:5])
        yield CheckResult(
            "labels.allowed",
            rows,
            "= 0 rows",
            rows == 0,
            "rows",
            f"unknown labels: {shown}" if unknown else "",
        )
    if minimum is not None:
        classes = {str(a): 0 for a in allowed} if allowed is not None else {}
        classes.update({k: v for k, v in per_class.items() if allowed is None or k in classes})
        smallest = sorted(classes.items(), key=lambda kv: kv[1])
        low = smallest[0][1] if smallest else 0
        few = [f"'{k}' ({v:,})" for k, v in smallest if v < minimum][:5]
        yield CheckResult(
            "labels.min_rows_per_class",
            low,
            f"≥ {minimum}",
            low >= minimum,
            "rows",
            f"classes under it: {', '.join(few)}"
            if few
            else f"smallest: '{smallest[0][0]}'"
            if smallest
            else "",
        )


def null_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """``[nulls]``: each column's share of missing values (null, or blank text) within its maximum."""
    default = contract.get("nulls", "max_share")
    overrides = contract.get("nulls", "columns", {})
    columns = user_columns(inputs.version)
    for column in overrides:
        if column not in columns:
            yield CheckResult(
                f"nulls.{column}",
                "missing",
                "column present",
                False,
                "type",
                f"columns: {', '.join(columns)}",
            )
    n = max(inputs.table.height, 1)
    for column in columns:
        maximum = overrides.get(column, default)
        if maximum is None:
            continue
        series = inputs.table[column]
        missing = series.is_null()
        if series.dtype == pl.String:
            missing = missing | (series.str.strip_chars() == "")
        yield limit(f"nulls.{column}", int(missing.sum()) / n, maximum, "share")


def duplicate_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """``[duplicates]``: exact copies (same content hash, beyond the first) and near-duplicate rows."""
    exact = contract.get("duplicates", "max_exact_share")
    near = contract.get("duplicates", "max_near_share")
    n = max(inputs.table.height, 1)
    if exact is not None:
        copies = inputs.exact_copies
        yield limit("duplicates.exact", copies / n, exact, "share", f"{copies:,} rows repeat an earlier row")
    if near is not None:
        if not inputs.tagged:
            yield could_not_run("duplicates.near", f"≤ {near:.2%}", NEEDS_TAGS)
        else:
            yield limit("duplicates.near", inputs.tag_share("near_duplicate"), near, "share")


def leakage_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """``[leakage]``: rows whose exact (or, once tagged, near) duplicate sits in another split."""
    maximum = contract.get("leakage", "max_rows")
    if maximum is None:
        return
    split = inputs.version.roles.get("split")
    if not isinstance(split, str) or split not in inputs.table.columns:
        yield could_not_run(
            "leakage.splits", f"≤ {maximum} rows", "the version has no split column (import it with --split)"
        )
        return
    splits = inputs.table[split].cast(pl.String).to_list()
    leak = split_leaks(exact_duplicate_groups(inputs.table["_content_hash"].to_list()), splits)
    column = tag_column("split_leak")
    if column in inputs.table.columns:
        leak = leak | inputs.table[column].to_numpy().astype(bool)
    how = "exact and near duplicates" if inputs.tagged else "exact duplicates (near ones once tagged)"
    yield limit("leakage.splits", int(np.sum(leak)), maximum, "rows", f"{how} across {split}")


def label_issue_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """``[label_issues]``: the share of rows confident learning flags as label issues."""
    maximum = contract.get("label_issues", "max_share")
    if maximum is None:
        return
    if not inputs.tagged:
        yield could_not_run("label_issues.share", f"≤ {maximum:.2%}", NEEDS_TAGS)
        return
    yield limit("label_issues.share", inputs.tag_share("label_issue"), maximum, "share")
