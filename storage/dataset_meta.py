"""Dataset metadata for governance: owner, licence, source, collection policy, retention date and risk
level. Every edit is one transaction and one audit-log entry with the values before and after."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any

from storage.errors import InputError
from storage.project import Project, current_user
from storage.schema import Dataset, DatasetMeta, utcnow

RISK_LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class DatasetMetaInfo:
    """A dataset's governance facts; empty strings where nothing was said, ``retention_until`` as an
    ISO date (``YYYY-MM-DD``) or None."""

    owner: str = ""
    licence: str = ""
    source: str = ""
    collection_policy: str = ""
    retention_until: str | None = None
    risk_level: str = "medium"

    def stale(self, today: date | None = None) -> bool:
        """Whether the retention date has passed (the data should have been deleted or re-approved)."""
        if not self.retention_until:
            return False
        return date.fromisoformat(self.retention_until) < (today or date.today())

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values, with ``stale``."""
        return asdict(self) | {"stale": self.stale()}


FIELDS = tuple(f.name for f in fields(DatasetMetaInfo))


def _checked(info: DatasetMetaInfo) -> DatasetMetaInfo:
    if info.risk_level not in RISK_LEVELS:
        raise InputError(f"Risk level '{info.risk_level}' is unknown; use one of {', '.join(RISK_LEVELS)}.")
    if info.retention_until:
        try:
            date.fromisoformat(info.retention_until)
        except ValueError:
            raise InputError(
                f"Retention date '{info.retention_until}' is not a date; write it as YYYY-MM-DD."
            ) from None
    return info


def read_meta(project: Project, dataset_id: int) -> DatasetMetaInfo:
    """A dataset's metadata (defaults when none was set)."""
    with project.session() as s:
        row = s.get(DatasetMeta, dataset_id)
        if row is None:
            return DatasetMetaInfo()
        return DatasetMetaInfo(**{name: getattr(row, name) for name in FIELDS})


def set_meta(project: Project, dataset_id: int, **changes: Any) -> DatasetMetaInfo:
    """Change some of a dataset's metadata; returns what it was before (for undo).

    Parameters
    ----------
    **changes
        Any of :data:`FIELDS`; ``retention_until`` "" or None clears the date.

    Raises
    ------
    InputError
        An unknown field, risk level or a retention date that is not ``YYYY-MM-DD``.
    ProjectReadOnly, ProjectBusy, DiskFull
        When the project cannot be written; nothing changes.
    """
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InputError(f"Unknown metadata {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}.")
    if changes.get("retention_until") == "":
        changes["retention_until"] = None
    before = read_meta(project, dataset_id)
    after = _checked(
        replace(before, **{k: v.strip() if isinstance(v, str) else v for k, v in changes.items()})
    )
    if after == before:
        return before
    with project.session() as s:
        if s.get(Dataset, dataset_id) is None:
            raise InputError(f"No dataset {dataset_id}.")
        row = s.get(DatasetMeta, dataset_id)
        if row is None:
            row = DatasetMeta(dataset_id=dataset_id)
            s.add(row)
        for name in FIELDS:
            setattr(row, name, getattr(after, name))
        row.updated_by, row.updated_at = current_user(), utcnow()
        project.log(
            "dataset_meta_set",
            {"dataset": dataset_id, "before": asdict(before), "after": asdict(after)},
            s,
        )
    return before
