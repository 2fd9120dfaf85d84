"""The named inputs of the stages of one pipeline run over a version, each loaded once, lazily.

A stage asks for what it reads (texts, vectors, the neighbour graph, the map, the clustering, the
model run, the given labels); outputs are read from ``storage/`` by the key of the stage that made
them, or taken from memory when that stage ran in this same run.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.engines import Engine, resolve_engine
from analysis.generative.runs import RunOutcomes, run_outcomes
from analysis.map.device import resolve_device, vector_dtype
from analysis.pipeline.keys import stage_key
from analysis.pipeline.spec import PipelineSpec
from analysis.pipeline.stage import REGISTRY
from analysis.progress import Progress
from storage.embeddings import find_set, load_vectors
from storage.errors import StageInputError
from storage.generations import GENERATIVE
from storage.project import Project
from storage.runs import Run, list_runs, read_predictions
from storage.stage_outputs import ClusterInfo, read_clustering_at, read_neighbours_at, read_projection_at
from storage.versions import get_version, read_rows

# BLAKE2b-128 of "" (analysis.ingest.hashing.content_hashes): the key of an unanswered row's response.
EMPTY_HASH = hashlib.blake2b(b"", digest_size=16).hexdigest()
MAP_FROM = ("prompt", "response")


class StageInputs:
    """One pipeline run over a version: stage keys, and every input a stage reads, loaded once.

    Parameters
    ----------
    project : storage.project.Project
    version_id : int
    spec : PipelineSpec
    progress : analysis.progress.Progress
    """

    def __init__(self, project: Project, version_id: int, spec: PipelineSpec, progress: Progress) -> None:
        self.project = project
        self.version_id = version_id
        self.spec = spec
        self.progress = progress
        self.version = get_version(project, version_id)
        self.device = resolve_device(spec.embed.device)
        self.engine: Engine = resolve_engine(spec.engine, self.device)
        text = self.version.roles.get("text")
        self.text_column = text if isinstance(text, str) else None
        self._rows: pl.DataFrame | None = None
        self._keys: dict[str, str] = {}
        self._params: dict[str, dict[str, Any]] = {}
        self._upstream: dict[str, str] = {}
        self._memo: dict[str, Any] = {}

    # -- the version ----------------------------------------------------------------------------
    @property
    def rows(self) -> pl.DataFrame:
        """The system columns and the text column, in row order."""
        if self._rows is None:
            cols = [self.text_column] if self.text_column else []
            self._rows = read_rows(self.project, self.version_id, cols)
        return self._rows

    @property
    def has_text(self) -> bool:
        """Whether the version has a text column (needed by every stage but ``tag``)."""
        return self.text_column is not None

    def version_texts(self) -> list[str]:
        """The text column, nulls as empty strings.

        Raises
        ------
        StageInputError
            When the version has no text column.
        """
        if self.text_column is None:
            raise StageInputError(
                f"Version {self.version_id} has no text column, so it cannot be embedded, mapped or "
                "clustered; its rows still show in the table. Re-import with --text COLUMN to map it."
            )
        return self.rows[self.text_column].cast(pl.String).fill_null("").to_list()

    def texts(self) -> list[str]:
        """What the map is drawn from (``spec.map_from``): the text column or the run's responses.

        Raises
        ------
        StageInputError
            When the version has no text column, or the responses are asked for without a generative run.
        """
        if self.spec.map_from not in MAP_FROM:
            raise StageInputError(
                f"The map is drawn from {' or '.join(MAP_FROM)}, not '{self.spec.map_from}'."
            )
        if self.spec.map_from == "response":
            return self._responses()[0]
        return self.version_texts()

    def hashes(self) -> list[str]:
        """The content hashes (hex) of :meth:`texts`, in row order."""
        if self.spec.map_from == "response":
            return self._responses()[1]
        return self.rows["_content_hash"].to_list()

    def _responses(self) -> tuple[list[str], list[str]]:
        """The map's responses; a version without text has no prompts to answer."""
        self.version_texts()
        found = self.responses()
        if found is None:
            raise StageInputError(
                "The map can be drawn from responses only with a generative run on this version; "
                "import one (strata import-run … --response COL) or draw it from the prompts."
            )
        return found

    def fingerprint(self) -> str:
        """SHA-256 of the version id and its rows' content hashes: the first stage's upstream key (what
        the map is drawn from goes into the embed stage's parameters)."""
        digest = hashlib.sha256(f"version:{self.version_id}:".encode())
        digest.update("".join(self.rows["_content_hash"].to_list()).encode())
        return digest.hexdigest()

    def read_columns(self, columns: list[str]) -> pl.DataFrame:
        """Some of the version's columns (with the system columns), in row order."""
        return read_rows(self.project, self.version_id, columns)

    def given_labels(self) -> list[str | None] | None:
        """The given label of each row (read once per run); None without a label column."""
        label = self.version.roles.get("label")
        if not isinstance(label, str):
            return None
        if "labels" not in self._memo:
            self._memo["labels"] = self.read_columns([label])[label].cast(pl.String).to_list()
        labels: list[str | None] = self._memo["labels"]
        return labels

    # -- the model run ----------------------------------------------------------------------------
    def run(self) -> Run | None:
        """The model run the stages use: the one named in the spec, else the newest (None if none).

        Raises
        ------
        StageInputError
            When the spec names a run the version does not have.
        """
        # Not kept: the probe stage adds a run in the middle of a pipeline run.
        runs = list_runs(self.project, self.version_id)
        if self.spec.run is None:
            return runs[-1] if runs else None
        found = [r for r in runs if r.name == self.spec.run]
        if not found:
            names = ", ".join(r.name for r in runs) or "none"
            raise StageInputError(f"No model run named '{self.spec.run}' on this version (runs: {names}).")
        return found[0]

    def run_id(self) -> int | None:
        """The id of :meth:`run`, or None."""
        run = self.run()
        return None if run is None else run.run_id

    def predictions(self) -> pl.DataFrame | None:
        """The run's predictions (``predicted``, ``confidence``, ``margin``, ``loss``), read once."""
        run = self.run()
        if run is None or run.kind == GENERATIVE:
            return None
        run_id = run.run_id
        if f"predictions:{run_id}" not in self._memo:
            self._memo[f"predictions:{run_id}"] = read_predictions(self.project, run_id)
        predictions: pl.DataFrame = self._memo[f"predictions:{run_id}"]
        return predictions

    def outcomes(self) -> RunOutcomes | None:
        """The generative run's outcomes over the version's rows, read once; None without one."""
        run = self.run()
        if run is None or run.kind != GENERATIVE:
            return None
        if f"outcomes:{run.run_id}" not in self._memo:
            self._memo[f"outcomes:{run.run_id}"] = run_outcomes(self.project, run, self.version.rows)
        outcomes: RunOutcomes = self._memo[f"outcomes:{run.run_id}"]
        return outcomes

    def responses(self) -> tuple[list[str], list[str]] | None:
        """The generative run's response per row and its content hash, made once; a row the run did
        not answer has "" and the hash of "" (:data:`EMPTY_HASH`). None without a generative run."""
        outcomes = self.outcomes()
        if outcomes is None:
            return None
        key = f"responses:{outcomes.run.run_id}"
        if key not in self._memo:
            n = self.version.rows
            texts, hashes = [""] * n, [EMPTY_HASH] * n
            answered = outcomes.responses.select("_row_id", "response", "response_hash")
            for row, text, digest in answered.iter_rows():
                texts[row], hashes[row] = text, digest
            self._memo[key] = (texts, hashes)
        responses: tuple[list[str], list[str]] = self._memo[key]
        return responses

    def wrong(self) -> NDArray[np.bool_] | None:
        """Labelled rows the run got wrong, or rows a generative run's evaluator failed (None without a
        run, or a classifier run without labels)."""
        outcomes = self.outcomes()
        if outcomes is not None:
            return np.asarray(outcomes.passed == 0.0)
        given, predictions = self.given_labels(), self.predictions()
        if given is None or predictions is None:
            return None
        predicted = predictions["predicted"].to_list()
        return np.array([g is not None and p != g for p, g in zip(predicted, given, strict=True)], dtype=bool)

    # -- keys -------------------------------------------------------------------------------------
    def key(self, name: str) -> str:
        """The cache key of stage ``name`` in this run: (name, its parameters, the upstream key)."""
        if name not in self._keys:
            stage = REGISTRY[name]
            params = stage.params(self.spec, self)
            reads_upstream = stage.upstream is not None and (stage.needs_text or self.has_text)
            upstream = self.key(str(stage.upstream)) if reads_upstream else self.fingerprint()
            self._params[name], self._upstream[name] = params, upstream
            self._keys[name] = stage_key(name, params, upstream)
        return self._keys[name]

    def params(self, name: str) -> dict[str, Any]:
        """The parameters of stage ``name`` that went into its key."""
        self.key(name)
        return self._params[name]

    def upstream(self, name: str) -> str:
        """The upstream key of stage ``name``."""
        self.key(name)
        return self._upstream[name]

    # -- stage outputs ----------------------------------------------------------------------------
    def remember(self, name: str, output: Any) -> None:
        """Keep an output a stage made in this run for the stages after it."""
        self._memo[f"output:{name}"] = output

    def vectors(self) -> NDArray[np.float32]:
        """The rows' embeddings, float32 of shape (n, d), from the set the embed stage wrote to.

        Raises
        ------
        StageInputError
            When the texts have not been embedded.
        """
        if "vectors" not in self._memo:
            params = self.params("embed")  # the set of the backend the embed stage resolved
            set_id = find_set(self.project, params["model"], params["dtype"], params["backend"])
            if set_id is None:
                raise StageInputError("No embeddings yet; run the embed stage first.")
            self._memo["vectors"] = load_vectors(self.project, set_id, self.hashes())
        vectors: NDArray[np.float32] = self._memo["vectors"]
        return vectors

    def graph(self) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        """The kNN graph: int32 neighbour indices and float32 cosine distances, shape (n, k)."""
        if "output:neighbours" not in self._memo:
            found = read_neighbours_at(self.project, self.key("neighbours"))
            if found is None:
                raise StageInputError("No neighbour graph yet; run the neighbours stage first.")
            self._memo["output:neighbours"] = found
        graph: tuple[NDArray[np.int32], NDArray[np.float32]] = self._memo["output:neighbours"]
        return graph

    def coords(self) -> NDArray[np.float32]:
        """The 2-D map, float32 of shape (n, 2)."""
        if "output:project" not in self._memo:
            found = read_projection_at(self.project, self.key("project"))
            if found is None:
                raise StageInputError("No map yet; run the project stage first.")
            self._memo["output:project"] = found[0]
        coords: NDArray[np.float32] = self._memo["output:project"]
        return coords

    def clustering(self) -> tuple[NDArray[np.int64], dict[int, str]]:
        """Each row's cluster label (int64, -1 for noise) and cluster label → name."""
        if "clustering" not in self._memo:
            found = read_clustering_at(self.project, self.key("cluster"), self.version.rows)
            if found is None:
                raise StageInputError("No clusters yet; run the cluster stage first.")
            clusters, labels = found
            self._memo["clustering"] = (labels, _names(clusters))
        clustering: tuple[NDArray[np.int64], dict[int, str]] = self._memo["clustering"]
        return clustering

    @cached_property
    def embed_device(self) -> str:
        """The device the engine embeds on (this machine's, or a Ray cluster's workers')."""
        return self.engine.embed_device(self.spec.embed.device)

    def vector_dtype(self) -> str:
        """The dtype vectors are stored in on the device they are computed on."""
        return vector_dtype(self.embed_device)


def _names(clusters: list[ClusterInfo]) -> dict[int, str]:
    return {c.label: c.name for c in clusters}
