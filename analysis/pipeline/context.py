"""The context of one pipeline run: stage keys, and every stage output loaded lazily from the project."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import select

from analysis.catalog import get_version, list_runs, read_predictions, read_rows
from analysis.errors.spec import TagSpec
from analysis.map.clustering import ClusterSpec
from analysis.map.device import resolve_device
from analysis.map.embed import EmbedSpec, load_vectors
from analysis.map.neighbours import NeighboursSpec
from analysis.map.projection import ProjectSpec
from analysis.pipeline import cache as stage_cache
from analysis.progress import Progress
from storage.errors import StageInputError
from storage.project import Project
from storage.schema import (
    Cluster,
    Clustering,
    ClusterMember,
    EmbeddingSet,
    NeighbourGraph,
    Projection,
    StageResult,
)
from storage.vectors import unpack


@dataclass(frozen=True)
class PipelineSpec:
    """Parameters of every stage; ``run`` names the model run to use (default: the newest)."""

    embed: EmbedSpec = field(default_factory=EmbedSpec)
    neighbours: NeighboursSpec = field(default_factory=NeighboursSpec)
    project: ProjectSpec = field(default_factory=ProjectSpec)
    cluster: ClusterSpec = field(default_factory=ClusterSpec)
    tag: TagSpec = field(default_factory=TagSpec)
    run: str | None = None


class StageContext:
    """One pipeline run over a version: stage keys, and stage outputs loaded lazily from the project."""

    def __init__(self, project: Project, version_id: int, spec: PipelineSpec, progress: Progress) -> None:
        self.project = project
        self.version_id = version_id
        self.spec = spec
        self.progress = progress
        self.version = get_version(project, version_id)
        self.device = resolve_device(spec.embed.device)
        text = self.version.roles.get("text")
        self.text_column = text if isinstance(text, str) else None
        self._rows: pl.DataFrame | None = None
        self._memo: dict[str, Any] = {}

    @property
    def rows(self) -> pl.DataFrame:
        if self._rows is None:
            cols = [self.text_column] if self.text_column else []
            self._rows = read_rows(self.project, self.version_id, cols)
        return self._rows

    @property
    def has_text(self) -> bool:
        """Whether the version has a text column (needed by every stage but ``tag``)."""
        return self.text_column is not None

    def texts(self) -> list[str]:
        if self.text_column is None:
            raise StageInputError(
                f"Version {self.version_id} has no text column, so it cannot be embedded, mapped or "
                "clustered; its rows still show in the table. Re-import with --text COLUMN to map it."
            )
        return self.rows[self.text_column].cast(pl.String).fill_null("").to_list()

    def input_fingerprint(self) -> str:
        digest = hashlib.sha256(f"version:{self.version_id}:".encode())
        digest.update("".join(self.rows["_content_hash"].to_list()).encode())
        return digest.hexdigest()

    # -- keys ---------------------------------------------------------------------------------
    def key(self, stage: str) -> str:
        if stage in self._memo.get("keys", {}):
            return str(self._memo["keys"][stage])
        if stage == "embed":
            self.texts()  # fails early, with a clear message, when there is no text
            params: dict[str, Any] = {
                "model": self.spec.embed.model,
                "dtype": "float16" if self.device.startswith("cuda") else "float32",
            }
            upstream = self.input_fingerprint()
        elif stage == "neighbours":
            params, upstream = (
                {"k": self.spec.neighbours.k, "method": self.spec.neighbours.method},
                self.key("embed"),
            )
        elif stage == "project":
            params, upstream = stage_cache.spec_params(self.spec.project), self.key("neighbours")
        elif stage == "cluster":
            params = stage_cache.spec_params(self.spec.cluster) | {"run_id": self.run_id()}
            upstream = self.key("project")
        else:
            params = stage_cache.spec_params(self.spec.tag) | {"run_id": self.run_id()}
            upstream = self.key("cluster") if self.has_text else self.input_fingerprint()
        key = stage_cache.stage_key(stage, params, upstream)
        self._memo.setdefault("keys", {})[stage] = key
        self._memo.setdefault("params", {})[stage] = params
        self._memo.setdefault("upstream", {})[stage] = upstream
        return key

    def run_id(self) -> int | None:
        """The model run the stages use: the one named in the spec, else the newest (None if none)."""
        runs = list_runs(self.project, self.version_id)
        if self.spec.run is None:
            return runs[-1].id if runs else None
        for run in runs:
            if run.name == self.spec.run:
                return run.id
        names = ", ".join(r.name for r in runs) or "none"
        raise StageInputError(f"No model run named '{self.spec.run}' on this version (runs: {names}).")

    def read_columns(self, columns: list[str]) -> pl.DataFrame:
        """Read some of the version's columns (with the system columns), in row order."""
        return read_rows(self.project, self.version_id, columns)

    def memo_get(self, name: str) -> Any:
        """A value a stage left for a later one in this run (None if absent)."""
        return self._memo.get(name)

    def memo_set(self, name: str, value: Any) -> None:
        """Leave a value for a later stage of this run."""
        self._memo[name] = value

    def cached(self, stage: str) -> StageResult | None:
        with self.project.session() as s:
            return stage_cache.find(s, self.key(stage))

    def record(self, s: Any, stage: str, seconds: float) -> StageResult:
        """Add the :class:`StageResult` of ``stage`` to session ``s`` (the stage's own transaction)."""
        result = StageResult(
            key=self.key(stage),
            stage=stage,
            version_id=self.version_id,
            params=self._memo["params"][stage],
            input_key=self._memo["upstream"][stage],
            seconds=seconds,
        )
        s.add(result)
        s.flush()
        return result

    # -- stages -------------------------------------------------------------------------------
    def vectors(self) -> NDArray[np.float32]:
        if "vectors" not in self._memo:
            dtype = (
                self._memo["params"]["embed"]["dtype"] if "embed" in self._memo.get("params", {}) else None
            )
            self.key("embed")
            dtype = self._memo["params"]["embed"]["dtype"]
            with self.project.session() as s:
                set_id = s.scalar(
                    select(EmbeddingSet.id).where(
                        EmbeddingSet.model == self.spec.embed.model, EmbeddingSet.dtype == dtype
                    )
                )
            if set_id is None:
                raise StageInputError("No embeddings yet; run the embed stage first.")
            self._memo["vectors"] = load_vectors(self.project, set_id, self.rows["_content_hash"].to_list())
        return np.asarray(self._memo["vectors"], dtype=np.float32)

    def graph(self) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        if "graph" not in self._memo:
            with self.project.session() as s:
                g = s.scalar(
                    select(NeighbourGraph).join(StageResult).where(StageResult.key == self.key("neighbours"))
                )
                assert g is not None
            self._memo["graph"] = (
                unpack(g.indices, "int32", g.k).astype(np.int32),
                unpack(g.distances, "float32", g.k).astype(np.float32),
            )
        graph: tuple[NDArray[np.int32], NDArray[np.float32]] = self._memo["graph"]
        return graph

    def coords(self) -> NDArray[np.float32]:
        if "coords" not in self._memo:
            with self.project.session() as s:
                proj = s.scalar(
                    select(Projection).join(StageResult).where(StageResult.key == self.key("project"))
                )
                assert proj is not None
            self._memo["coords"] = unpack(proj.coords, "float32", 2).astype(np.float32)
        coords: NDArray[np.float32] = self._memo["coords"]
        return coords

    def cluster_labels(self) -> NDArray[np.int64]:
        """Each row's cluster label from this run's clustering (-1 for noise)."""
        if "cluster_labels" not in self._memo:
            labels = np.full(self.version.row_count, -1, dtype=np.int64)
            with self.project.session() as s:
                clustering = s.scalar(
                    select(Clustering).join(StageResult).where(StageResult.key == self.key("cluster"))
                )
                assert clustering is not None
                for label, row_id in s.execute(
                    select(Cluster.label, ClusterMember.row_id)
                    .join(ClusterMember, ClusterMember.cluster_id == Cluster.id)
                    .where(Cluster.clustering_id == clustering.id)
                ):
                    labels[row_id] = label
                names = dict(
                    s.execute(
                        select(Cluster.label, Cluster.name).where(Cluster.clustering_id == clustering.id)
                    ).all()
                )
            self._memo["cluster_labels"] = labels
            self._memo["cluster_names"] = names
        labels_out: NDArray[np.int64] = self._memo["cluster_labels"]
        return labels_out

    def cluster_names(self) -> dict[int, str]:
        """Cluster label → name, for this run's clustering."""
        self.cluster_labels()
        names: dict[int, str] = self._memo["cluster_names"]
        return names

    def wrong(self) -> NDArray[np.bool_] | None:
        """Rows the newest run got wrong (None without a run or labels)."""
        run = self.run_id()
        label = self.version.roles.get("label")
        if run is None or not isinstance(label, str):
            return None
        given = read_rows(self.project, self.version_id, [label])[label].cast(pl.String)
        predicted = read_predictions(self.project, run)["predicted"]
        return np.asarray((given != predicted).fill_null(False).to_numpy(), dtype=bool)
