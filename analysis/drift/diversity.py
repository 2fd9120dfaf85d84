"""Diversity over versions: for a version's text column (or any text column) and each of its
generative runs' responses, the measures of :mod:`analysis.generative.diversity`, and the drops
between one version and the next that the drift view and ``strata diversity`` flag."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.generative.diversity import (
    SAMPLE,
    Diversity,
    diversity,
    dropped,
    sample_rows,
    with_cluster_entropy,
)
from analysis.generative.embeddings import response_vectors
from analysis.generative.runs import generative_runs
from analysis.ingest.hashing import content_hashes
from analysis.map.embed import EmbedSpec
from analysis.progress import NullProgress, Progress, check_cancel
from storage.errors import InputError
from storage.generations import read_generations
from storage.project import Project
from storage.versions import get_version, read_rows


@dataclass(frozen=True)
class DiversityEntry:
    """One source of texts on one version: ``source`` is the column's name or ``run <name>``; ``part``
    is the index of the version (or row set) in the list measured."""

    version_id: int
    version: str
    source: str
    diversity: Diversity
    part: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {"version_id": self.version_id, "version": self.version, "source": self.source} | (
            self.diversity.as_dict()
        )


def text_sources(
    project: Project,
    version_id: int,
    column: str | None = None,
    runs: bool = True,
    rows: NDArray[np.int64] | None = None,
) -> dict[str, tuple[list[str], list[str]]]:
    """source → (texts, content hashes): ``column`` (default the text column) and, with ``runs``, each
    generative run's responses (``run <name>``); only of the row ids ``rows`` when given.

    Raises
    ------
    InputError
        When ``column`` is not a column of the version.
    """
    version = get_version(project, version_id)
    text = version.roles.get("text")
    name = column or (text if isinstance(text, str) else None)
    sources: dict[str, tuple[list[str], list[str]]] = {}
    if name is not None:
        if name not in version.column_types:
            raise InputError(
                f"No column '{name}' in version {version_id}; columns: {', '.join(version.column_types)}."
            )
        table = _only(read_rows(project, version_id, [name]), rows)
        texts = table[name].cast(pl.String).fill_null("").to_list()
        hashes = table["_content_hash"].to_list() if name == text else content_hashes(texts)
        sources[name] = (texts, hashes)
    if runs:
        for run in generative_runs(project, version_id):
            answered = _only(read_generations(project, run.run_id, []), rows)
            sources[f"run {run.name}"] = (answered["response"].to_list(), answered["response_hash"].to_list())
    return sources


def _only(table: pl.DataFrame, rows: NDArray[np.int64] | None) -> pl.DataFrame:
    return table if rows is None else table.filter(pl.col("_row_id").is_in(rows.tolist()))


def measure_diversity(
    project: Project,
    version_ids: list[int],
    column: str | None = None,
    runs: bool = True,
    sample: int = SAMPLE,
    spec: EmbedSpec | None = None,
    progress: Progress | None = None,
    rows: list[NDArray[np.int64] | None] | None = None,
) -> list[DiversityEntry]:
    """Diversity of every source on every version, each on a sample (seed 0) of the same size: ``sample``
    texts, or fewer when a source has fewer; ``rows`` restricts each version to some of its row ids (a
    drift report's sides).

    The sampled texts are embedded with ``spec``'s model (those not stored yet; they stay stored, keyed
    by content hash), and one k-means over all samples gives the cluster entropy.

    Raises
    ------
    InputError
        For an unknown column, or when no version has texts to measure.
    analysis.progress.Cancelled
        When cancelled (the texts embedded so far are kept).
    """
    progress = progress or NullProgress()
    spec = spec or EmbedSpec()
    entries: list[DiversityEntry] = []
    vectors: list[NDArray[np.float32]] = []
    found = []
    for at, version_id in enumerate(version_ids):
        version = get_version(project, version_id)
        only = rows[at] if rows is not None else None
        for source, texts_hashes in text_sources(project, version_id, column, runs, only).items():
            found.append((at, version, source, *texts_hashes))
    # distinct-n falls as a set grows: every set is measured on the same number of texts
    size = min([sample, *(len(texts) for *_, texts, _ in found if texts)])
    for at, version, source, texts, hashes in found:
        check_cancel(progress)
        progress.message(f"Diversity of {source} in {version.dataset} v{version.number}")
        picks = sample_rows(len(texts), size)
        picked = [texts[i] for i in picks]
        v = response_vectors(project, picked, [hashes[i] for i in picks], spec, progress)
        name = f"{version.dataset} v{version.number}"
        entries.append(DiversityEntry(version.version_id, name, source, diversity(picked, v, len(texts)), at))
        vectors.append(v)
    if not entries:
        raise InputError("No texts to measure: the versions have no text column and no generative run.")
    measured = with_cluster_entropy([e.diversity for e in entries], vectors)
    return [replace(e, diversity=d) for e, d in zip(entries, measured, strict=True)]


def diversity_drops(entries: list[DiversityEntry]) -> list[dict[str, Any]]:
    """Per source, each version against the previous one that has it (in the order of ``entries``):
    the measures that dropped enough to flag (:func:`analysis.generative.diversity.dropped`).

    Returns
    -------
    list of dict
        ``source``, ``from``, ``to`` (version names) and ``measures`` (flagged names), only where any.
    """
    last: dict[str, DiversityEntry] = {}
    drops = []
    for entry in entries:
        before = last.get(entry.source)
        if before is not None and before.version_id != entry.version_id:
            flagged = dropped(before.diversity, entry.diversity)
            if flagged:
                drops.append(
                    {"source": entry.source, "from": before.version, "to": entry.version, "measures": flagged}
                )
        last[entry.source] = entry
    return drops
