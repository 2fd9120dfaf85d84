"""The rows an export writes: the filter's rows, de-duplicated (exact or near) and sampled (stratified),
and the options that say how (:mod:`analysis.slices.export` writes them with their manifest)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from analysis.slices.filters import evaluate, filter_table
from analysis.view_frame import ViewFrame
from storage.errors import InputError
from storage.project import Project
from storage.tags import read_row_tags


@dataclass(frozen=True)
class ExportOptions:
    """How to export.

    Attributes
    ----------
    format : str or None
        ``csv``, ``parquet`` or ``jsonl``; None follows the output file's extension.
    columns : tuple of str or None
        Columns to write; default the dataset's own columns.
    corrected_labels : bool
        Write the reviewed labels (``<label>_corrected``) under the label's name.
    dedupe : str or None
        ``exact`` (same content hash) or ``near`` (near-duplicate groups of the tag stage): keep the
        first row of each group.
    sample_by : str or None
        Column to stratify a sample by: the label, a clustering (``cluster``: HDBSCAN on the map,
        whose noise, -1, is one stratum; ``cluster_sphere``: spherical k-means on the vectors) or
        any column.
    sample_size, sample_fraction : int or float, optional
        Sample size in rows (allocated to strata in proportion, largest remainder) or fraction per stratum.
    seed : int
        Seed of the sample.
    redact : tuple of str
        Columns to redact.
    redact_mode : str
        ``drop`` the columns, or ``hash`` them (SHA-256 of a random per-export salt and the value; the
        salt is not kept, so values cannot be recovered by hashing guesses).
    redact_pii : bool
        Replace personal data found by the PII patterns (:mod:`analysis.pii`) in every text
        column by placeholders (``[EMAIL]``, ``[PHONE]``, …).
    """

    format: str | None = None
    columns: tuple[str, ...] | None = None
    corrected_labels: bool = False
    dedupe: str | None = None
    sample_by: str | None = None
    sample_size: int | None = None
    sample_fraction: float | None = None
    seed: int = 0
    redact: tuple[str, ...] = ()
    redact_mode: str = "hash"
    redact_pii: bool = False


def stratified_sample(
    table: pl.DataFrame, by: str, size: int | None, fraction: float | None, seed: int
) -> pl.DataFrame:
    """A stratified random sample: each value of ``by`` keeps its share of the rows.

    Raises
    ------
    InputError
        When ``by`` is not a column, or neither or both of size and fraction are given.
    """
    if by not in table.columns:
        hint = " (the clustering is made by `strata run`)" if by in ("cluster", "cluster_sphere") else ""
        raise InputError(f"Cannot stratify by '{by}': no such column{hint}.")
    if (size is None) == (fraction is None):
        raise InputError("Give either a sample size or a sample fraction.")
    if size is not None and size < 1:
        raise InputError(f"The sample size must be at least 1 row (got {size}).")
    if fraction is not None and not 0 < fraction <= 1:
        raise InputError(f"The sample fraction must be in (0, 1] (got {fraction}).")
    groups = table.with_row_index("__pos").group_by(by, maintain_order=True).agg(pl.col("__pos"))
    positions = [np.asarray(p, dtype=np.int64) for p in groups["__pos"].to_list()]
    sizes = np.array([p.size for p in positions], dtype=np.float64)
    if fraction is not None:
        quota = np.round(sizes * fraction).astype(np.int64)
    else:
        exact = sizes * min(size or 0, table.height) / max(sizes.sum(), 1)
        quota = np.floor(exact).astype(np.int64)
        remainder = int(min(size or 0, table.height) - quota.sum())
        quota[np.argsort(-(exact - quota), kind="stable")[:remainder]] += 1
    rng = np.random.default_rng(seed)
    chosen = np.concatenate(
        [rng.choice(p, int(q), replace=False) for p, q in zip(positions, quota, strict=True)]
        or [np.zeros(0, np.int64)]
    )
    sampled: pl.DataFrame = table[np.sort(chosen).tolist()]
    return sampled


def select_export_rows(
    project: Project, frame: ViewFrame, filter_spec: dict[str, Any], options: ExportOptions
) -> pl.DataFrame:
    """The rows an export writes: the filter's, de-duplicated and sampled as ``options`` say (its
    filter table, :func:`analysis.slices.filters.filter_table`, in row order).

    Raises
    ------
    InputError
        For an invalid filter or an unknown de-duplication or sample column.
    """
    table = filter_table(frame)
    return dedupe_and_sample(project, frame, table.filter(pl.Series(evaluate(table, filter_spec))), options)


def dedupe_and_sample(
    project: Project, frame: ViewFrame, table: pl.DataFrame, options: ExportOptions
) -> pl.DataFrame:
    """``table`` (rows of ``frame``'s filter table) de-duplicated and sampled as ``options`` say.

    Raises
    ------
    InputError
        For an unknown de-duplication, near-duplicates not tagged yet, or an unknown sample column.
    """
    if options.dedupe == "exact":
        table = table.unique("_content_hash", keep="first", maintain_order=True)
    elif options.dedupe == "near":
        groups = near_groups(project, frame.version_id, frame.rows.height)
        table = table.with_columns(__g=pl.Series(groups)[table["_row_id"].to_list()])
        table = (
            pl.concat(
                [
                    table.filter(pl.col("__g") < 0),
                    table.filter(pl.col("__g") >= 0).unique("__g", keep="first"),
                ]
            )
            .sort("_row_id")
            .drop("__g")
        )
    elif options.dedupe is not None:
        raise InputError(f"Unknown de-duplication '{options.dedupe}'; use exact or near.")
    if options.sample_by is not None:
        table = stratified_sample(
            table, options.sample_by, options.sample_size, options.sample_fraction, options.seed
        )
    return table


def near_groups(project: Project, version_id: int, n: int) -> np.ndarray:
    tags = read_row_tags(project, version_id).filter(pl.col("tag") == "near_duplicate")
    if tags.is_empty():
        raise InputError(
            "No near-duplicates are tagged yet: run the tag stage first, or use exact de-duplication."
        )
    groups = np.full(n, -1, dtype=np.int64)
    for row, detail in tags.select("row_id", "detail").iter_rows():
        groups[row] = json.loads(detail)["group"]
    return groups
