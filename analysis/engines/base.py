"""The engine protocol, its parameters, the local engine and the choice of one."""

from __future__ import annotations

import importlib.util
import os
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from analysis.engines.spec import EngineSpec
from analysis.map.embed import Encoding, LocalEncoding
from analysis.map.neighbours import NeighboursSpec, knn_graph
from analysis.progress import Progress
from storage.errors import StageInputError

ENGINE_NAMES = ("auto", "local", "ray")
RAY_INSTALL = (
    "The Ray engine needs Ray, an optional extra: pip install 'strata[ray]' (or, in Strata's "
    "environment, pip install 'ray[data]>=2.50,<3'). Or run with --engine local."
)


class Engine(Encoding, Protocol):
    """What an engine computes: the embed stage's vectors (it is an
    :class:`analysis.map.embed.Encoding`) and the neighbours stage's graph."""

    name: str

    def knn(
        self, vectors: NDArray[np.float32], spec: NeighboursSpec, progress: Progress
    ) -> tuple[NDArray[np.int32], NDArray[np.float32], str]:
        """:func:`analysis.map.neighbours.knn_graph`'s result, computed where the engine runs."""
        ...

    def describe(self) -> str:
        """Where it runs, in a few words, for stage reports ("" for this process: nothing to add)."""
        ...

    def close(self) -> None:
        """Let go of what the engine started (a Ray cluster started for this run)."""
        ...


class LocalEngine(LocalEncoding):
    """This process: the embedding backend on ``device``, the neighbour search on every core."""

    name = "local"

    def __init__(self, device: str) -> None:
        self.device = device

    def knn(
        self, vectors: NDArray[np.float32], spec: NeighboursSpec, progress: Progress
    ) -> tuple[NDArray[np.int32], NDArray[np.float32], str]:
        return knn_graph(vectors, spec, progress, self.device)

    def describe(self) -> str:
        return ""

    def close(self) -> None:
        pass


def ray_installed() -> bool:
    """Whether Ray (with Ray Data) can be imported here."""
    return importlib.util.find_spec("ray") is not None and importlib.util.find_spec("ray.data") is not None


def resolve_engine(spec: EngineSpec, device: str) -> Engine:
    """The engine ``spec`` asks for; nothing is started or connected yet.

    Parameters
    ----------
    spec : EngineSpec
    device : str
        This machine's resolved device (:func:`analysis.map.device.resolve_device`), for the local
        engine.

    Raises
    ------
    StageInputError
        When the name is unknown, or Ray is asked for and not installed (the message says how to
        install it).
    """
    if spec.name not in ENGINE_NAMES:
        raise StageInputError(f"Unknown engine '{spec.name}'; use {', '.join(ENGINE_NAMES)}.")
    name = spec.name
    if name == "auto":
        wanted = spec.address is not None or bool(os.environ.get("RAY_ADDRESS"))
        name = "ray" if wanted and (spec.address is not None or ray_installed()) else "local"
    if name == "local":
        return LocalEngine(device)
    if not ray_installed():
        raise StageInputError(RAY_INSTALL)
    from analysis.engines.ray_engine import RayEngine

    return RayEngine(spec)
