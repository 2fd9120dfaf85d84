"""The Ray engine: the embed and neighbours stages on a Ray cluster (Moritz et al., "Ray: a distributed
framework for emerging AI applications", OSDI 2018; Ray Data for the embedding pipeline)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from analysis.engines.ray_cluster import Cluster, connect, failed
from analysis.engines.spec import EngineSpec
from analysis.map.embed import EmbedSpec
from analysis.map.encoders import Backend
from analysis.map.neighbours import NeighboursSpec, search_graph
from analysis.progress import Progress
from storage.errors import StageInputError


class RayEngine:
    """A Ray cluster, connected to (or started) on first use and let go by :meth:`close`."""

    name = "ray"

    def __init__(self, spec: EngineSpec) -> None:
        self.spec = spec
        self._cluster: Cluster | None = None

    @property
    def cluster(self) -> Cluster:
        if self._cluster is None:
            self._cluster = connect(self.spec.address, self.spec.runtime_env)
        return self._cluster

    def embed_device(self, requested: str) -> str:
        """``cuda`` when the cluster has GPUs (and ``auto`` or ``cuda`` is asked for), else ``cpu``.

        Raises
        ------
        StageInputError
            When a GPU is asked for and the cluster has none, or the device is unknown.
        """
        gpus = self.cluster.gpus
        if requested in ("auto", "cpu"):
            return "cuda" if requested == "auto" and gpus else "cpu"
        if not requested.startswith("cuda"):
            raise StageInputError(f"The Ray engine runs on cpu or cuda workers, not '{requested}'.")
        if not gpus:
            raise StageInputError(f"{self.cluster.describe()} has no GPU; use --device auto or cpu.")
        return "cuda"

    def encode_chunks(
        self,
        items: list[tuple[bytes, str]],
        spec: EmbedSpec,
        device: str,
        backend: Backend,
        progress: Progress,
    ) -> Iterator[tuple[list[bytes], NDArray[np.float32]]]:
        from ray.exceptions import RayError

        from analysis.engines.ray_embed import encode_on_ray

        largest = self.cluster.largest_node_cpus
        if self.spec.cpus_per_worker > largest:  # Ray would wait for such a node for ever
            raise StageInputError(
                f"Each embedding worker asks for {self.spec.cpus_per_worker} CPUs, but the largest node of "
                f"{self.cluster.describe()} has {largest}; use --cpus-per-worker {largest} or fewer."
            )
        try:
            yield from encode_on_ray(
                self.cluster, items, spec, device, backend, progress, self.spec.cpus_per_worker
            )
        except RayError as exc:
            raise failed("embedding", exc) from None

    def knn(
        self, vectors: NDArray[np.float32], spec: NeighboursSpec, progress: Progress
    ) -> tuple[NDArray[np.int32], NDArray[np.float32], str]:
        from ray.exceptions import RayError

        from analysis.engines.ray_knn import ray_searches

        device = "cuda" if self.cluster.gpus else "cpu"
        where = f", on {self.cluster.describe()}"
        try:
            return search_graph(vectors, spec, progress, device, ray_searches(self.cluster), where)
        except RayError as exc:
            raise failed("neighbour search", exc) from None

    def describe(self) -> str:
        return self.cluster.describe()

    def close(self) -> None:
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
