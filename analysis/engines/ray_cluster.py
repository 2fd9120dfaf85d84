"""Connecting to a Ray cluster, or starting one on this machine, quietly and without telemetry.

Ray's usage statistics are switched off before Ray starts (``RAY_USAGE_STATS_ENABLED=0``) and no
dashboard is started: Strata sends nothing anywhere. A cluster someone else started decides its own
usage statistics; docs/scale-out.md says how to start one with them off.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from storage.errors import StageInputError


@dataclass(frozen=True)
class Cluster:
    """The Ray cluster a run uses.

    Attributes
    ----------
    address : str
        Its address (``local`` when started here for the run).
    cpus, gpus : int
        Its CPUs and GPUs (all nodes).
    nodes : int
        Alive nodes.
    largest_node_cpus : int
        CPUs of its largest node (what a one-node task can use).
    started_here : bool
        Whether this process called ``ray.init`` (and so shuts it down after the run).
    """

    address: str
    cpus: int
    gpus: int
    nodes: int
    largest_node_cpus: int
    started_here: bool

    def describe(self) -> str:
        where = "a Ray cluster on this machine" if self.address == "local" else f"Ray at {self.address}"
        gpus = f", {self.gpus} GPU{'s' * (self.gpus != 1)}" if self.gpus else ""
        return f"{where} ({self.nodes} node{'s' * (self.nodes != 1)}, {self.cpus} CPUs{gpus})"

    def close(self) -> None:
        """Disconnect (and stop the cluster) when this process started the connection."""
        if self.started_here:
            import ray

            ray.shutdown()


INIT_OPTIONS: dict[str, Any] = {
    "include_dashboard": False,
    "logging_level": logging.ERROR,  # not the notice that a local cluster uses a token
    # Neither the workers' output nor Ray's own (the raylet's disk warnings) reaches the terminal: they
    # stay in Ray's logs, where failed() points.
    "log_to_driver": False,
}
"""How Strata calls ``ray.init`` (with the address and runtime environment of the run)."""


def connect(address: str | None, runtime_env: str | None) -> Cluster:
    """Connect to the Ray cluster at ``address`` (None: ``RAY_ADDRESS``, else a new local cluster).

    A connection this process already has (``ray.init`` called before, as tests and notebooks do) is
    used as it is.

    Raises
    ------
    StageInputError
        When the runtime environment is not JSON, or the cluster cannot be reached or refuses this
        driver (another Ray or Python version).
    """
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    import ray

    started_here = False
    if not ray.is_initialized():
        try:
            env: dict[str, Any] | None = json.loads(runtime_env) if runtime_env else None
        except json.JSONDecodeError as exc:
            raise StageInputError(f"The Ray runtime environment is not JSON ({exc}).") from None
        try:
            ray.init(address=address, runtime_env=env, **INIT_OPTIONS)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError or ValueError here
            where = f"at {address}" if address else "on this machine"
            raise StageInputError(
                f"Could not start or reach the Ray cluster {where}: {exc}. Check the address "
                "(`ray status` on the head node prints it), that this machine runs the same Ray and "
                "Python versions as the cluster, or run with --engine local."
            ) from None
        started_here = True
    _quiet_ray_data()
    alive = [node for node in ray.nodes() if node.get("Alive")]  # type: ignore[no-untyped-call]
    resources = ray.cluster_resources()  # type: ignore[no-untyped-call]
    return Cluster(
        address=address or os.environ.get("RAY_ADDRESS") or "local",
        cpus=int(resources.get("CPU", 0)),
        gpus=int(resources.get("GPU", 0)),
        nodes=len(alive),
        largest_node_cpus=max((int(node["Resources"].get("CPU", 0)) for node in alive), default=1),
        started_here=started_here,
    )


def failed(work: str, error: Exception) -> StageInputError:
    """The message for work the cluster could not finish (an actor that cannot start, a lost node)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return StageInputError(
        f"The Ray cluster could not finish the {work}: {lines[-1] if lines else type(error).__name__}. "
        "What was stored is kept, so running again resumes; the workers' logs are in "
        "/tmp/ray/session_latest/logs on each node. Or run with --engine local."
    )


def _quiet_ray_data() -> None:
    """No progress bars or execution banners in the terminal: Strata reports progress itself."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # not the notice that the bars are off
