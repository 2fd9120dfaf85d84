"""Where the heavy stages run: the engine's parameters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineSpec:
    """Where the heavy stages run. Not part of any cache key: every engine stores the same results.

    Attributes
    ----------
    name : str
        ``local`` (this process), ``ray`` (a Ray cluster) or ``auto`` (Ray when an address is given
        here or in ``RAY_ADDRESS`` and Ray is installed, else local).
    address : str or None
        The Ray cluster's address (``HOST:6379``, ``ray://HOST:10001`` or ``auto``); None with
        ``ray`` starts a Ray cluster on this machine for the run.
    runtime_env : str or None
        A Ray runtime environment as JSON (``{"py_modules": [...], "env_vars": {...}}``), given to
        ``ray.init``.
    cpus_per_worker : int
        CPUs each embedding actor and neighbour task asks the Ray scheduler for.
    """

    name: str = "local"
    address: str | None = None
    runtime_env: str | None = None
    cpus_per_worker: int = 1
