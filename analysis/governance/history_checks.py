"""Contract checks against other things than the version's own rows: a reference version (drift), the
gold set and the previous approved version, contamination tags, retention and the failure-mode backlog."""

from __future__ import annotations

from collections.abc import Iterator

from analysis.drift.columns import version_drift
from analysis.governance.contract import Contract
from analysis.governance.data_checks import GateInputs
from analysis.governance.results import CheckResult, could_not_run, limit
from analysis.labeling.contamination_check import TAG as CONTAMINATED
from analysis.labeling.gold_report import label_accuracy, name_of
from analysis.slices.filters import filter_table
from storage.approvals import approved_version_ids
from storage.backlog import read_backlog
from storage.dataset_meta import read_meta
from storage.errors import StrataError
from storage.gold_sets import get_gold_set, read_gold_rows
from storage.versions import get_version, list_versions, resolve_version


def drift_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """``[drift]``: how many columns drift against the reference version (Evidently's default tests by
    reference size, :mod:`analysis.drift.columns`)."""
    reference = contract.get("drift", "reference")
    if reference is None:
        return
    maximum = contract.get("drift", "max_drifted_columns", 0)
    try:
        ref_id = resolve_version(inputs.project, reference)
    except StrataError as err:
        yield could_not_run("drift.columns", f"≤ {maximum} columns", str(err))
        return
    ref = filter_table(inputs.frames(ref_id))
    cur = inputs.table
    columns = contract.get("drift", "columns")
    absent = [c for c in columns or () if c not in ref.columns or c not in cur.columns]
    if absent:
        yield could_not_run(
            "drift.columns", f"≤ {maximum} columns", f"not in both versions: {', '.join(absent)}"
        )
        return
    results = version_drift(ref, cur, inputs.version.roles, list(columns) if columns else None)
    drifted = [d for d in results if d.drift]
    detail = "; ".join(f"{d.column} ({d.test} {d.statistic:.3g} vs {d.threshold:g})" for d in drifted[:6])
    ref_name = name_of(get_version(inputs.project, ref_id))
    yield limit(
        "drift.columns",
        len(drifted),
        maximum,
        "columns",
        f"against {ref_name}, {len(results)} columns tested" + (f"; drifted: {detail}" if drifted else ""),
    )


def gold_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """``[gold]``: the version's labels' accuracy on the gold set, not lower than the previous approved
    version's by more than ``max_drop``, and at least ``min_accuracy``."""
    name = contract.get("gold", "set")
    if name is None:
        return
    max_drop, minimum = contract.get("gold", "max_drop"), contract.get("gold", "min_accuracy")
    try:
        gold = get_gold_set(inputs.project, name)
    except StrataError as err:
        yield could_not_run("gold.accuracy", "gold set", str(err))
        return
    gold_rows = read_gold_rows(inputs.project, gold.gold_id)
    accuracy = label_accuracy(inputs.project, gold_rows, inputs.version)
    if accuracy is None:
        yield could_not_run("gold.accuracy", "gold set", "no labelled row of the version is in the gold set")
        return
    if minimum is not None:
        yield CheckResult(
            "gold.min_accuracy", accuracy, f"≥ {minimum:.2%}", accuracy >= minimum, "accuracy", f"on '{name}'"
        )
    if max_drop is None:
        return
    approved = approved_version_ids(inputs.project)
    earlier = [
        v
        for v in list_versions(inputs.project)
        if v.dataset_id == inputs.version.dataset_id
        and v.number < inputs.version.number
        and v.version_id in approved
    ]
    if not earlier:
        yield CheckResult(
            "gold.drop",
            accuracy,
            f"≥ previous approved − {max_drop:.2%}",
            True,
            "accuracy",
            f"on '{name}'; no earlier approved version to compare with",
        )
        return
    previous = earlier[-1]
    before = label_accuracy(inputs.project, gold_rows, previous)
    floor = (before if before is not None else 0.0) - max_drop
    yield CheckResult(
        "gold.drop",
        accuracy,
        f"≥ {floor:.2%} ({name_of(previous)} {before or 0:.2%} − {max_drop:.2%})",
        accuracy >= floor,
        "accuracy",
        f"on '{name}' against the previous approved version {name_of(previous)}",
    )


def contamination_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """``[contamination]``: rows tagged contaminated by ``strata contamination``."""
    maximum = contract.get("contamination", "max_rows")
    if maximum is None:
        return
    column = inputs.table.get_column(f"tag_{CONTAMINATED}", default=None)
    rows = int(column.sum()) if column is not None else 0
    yield limit(
        "contamination.rows",
        rows,
        maximum,
        "rows",
        ""
        if column is not None
        else "no row tagged: run `strata contamination` against the benchmark to check",
    )


def governance_checks(inputs: GateInputs, contract: Contract) -> Iterator[CheckResult]:
    """Retention (always, when the dataset has a retention date) and open high-risk failure modes."""
    meta = read_meta(inputs.project, inputs.version.dataset_id)
    if meta.retention_until:
        enforce = contract.get("governance", "fail_when_stale", True)
        stale = meta.stale()
        yield CheckResult(
            "governance.retention",
            meta.retention_until,
            "not past",
            not (stale and enforce),
            "date",
            ("stale: past its retention date" + ("" if enforce else " (not enforced)")) if stale else "",
        )
    maximum = contract.get("governance", "max_open_high_risk_failure_modes")
    if maximum is not None:
        open_high = [e.tag for e in read_backlog(inputs.project) if e.is_open and e.risk_level == "high"]
        yield limit("governance.open_high_risk", len(open_high), maximum, "rows", ", ".join(open_high))
