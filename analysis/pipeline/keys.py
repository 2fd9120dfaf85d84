"""Stage keys: a stage is skipped when a result with its key exists.

The key is the SHA-256 of (stage name, parameters, upstream key), as Lilac keys its signals by their
parameters; the upstream key is the key of the stage the input came from (or the version's content
fingerprint for the first stage), so a changed parameter upstream invalidates everything downstream.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any


def spec_params(spec: object) -> dict[str, Any]:
    """Return a frozen spec dataclass as a JSON-ready dict of its parameters."""
    assert dataclasses.is_dataclass(spec) and not isinstance(spec, type)
    return dataclasses.asdict(spec)


def stage_key(stage: str, params: dict[str, Any], input_key: str) -> str:
    """Return the hex SHA-256 cache key of a stage run.

    Parameters
    ----------
    stage : str
        Stage name (``embed``, ``neighbours``, ``project``, ``cluster``, ``tag``).
    params : dict
        The stage's parameters (JSON-serialisable).
    input_key : str
        The upstream stage's key, or the version's content fingerprint.

    Returns
    -------
    str
        64 hex digits; the same in every process for the same arguments (JSON with sorted keys).
    """
    blob = json.dumps({"stage": stage, "params": params, "input": input_key}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
