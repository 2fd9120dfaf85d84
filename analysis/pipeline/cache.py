"""Stage keys and the stage cache: a stage is skipped when a result with its key exists.

The key is the SHA-256 of (stage name, parameters, input fingerprint), as Lilac keys its signals by
their parameters; the input fingerprint is the key of the stage the input came from, so a changed
parameter upstream invalidates everything downstream.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.schema import StageResult


def spec_params(spec: object) -> dict[str, Any]:
    """Return a frozen spec dataclass as a JSON-ready dict of its parameters."""
    assert dataclasses.is_dataclass(spec) and not isinstance(spec, type)
    return dataclasses.asdict(spec)


def stage_key(stage: str, params: dict[str, Any], input_key: str) -> str:
    """Return the hex SHA-256 cache key of a stage run.

    Parameters
    ----------
    stage : str
        Stage name (``embed``, ``neighbours``, ``project``, ``cluster``).
    params : dict
        The stage's parameters (JSON-serialisable).
    input_key : str
        Fingerprint of the stage's input (the upstream key or the version's content fingerprint).
    """
    blob = json.dumps({"stage": stage, "params": params, "input": input_key}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def find(session: Session, key: str) -> StageResult | None:
    """Return the cached result with ``key``, if any."""
    return session.scalar(select(StageResult).where(StageResult.key == key))
