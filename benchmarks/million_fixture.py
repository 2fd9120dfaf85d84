"""The 1M-row project of ``bench_window_1m.py``, built once and cached.

The 100k TweetEval emoji tweets (train, val and test) repeated 10 times, each copy after the first
with `` ·2`` … `` ·10`` appended so every text is unique, labelled with the 20 emoji names of
``mapping.txt``; predictions are the label for 70% of rows and a random class otherwise. The map and
the clusters are synthetic (three Gaussian blobs per label, a cluster per blob), written as pipeline
stages through the storage functions the pipeline uses.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from common import DATA

COPIES = 10
BLOBS_PER_LABEL = 3
FIXTURE = "v1"  # bump when the project's recipe changes: a cached project of another recipe is rebuilt
CACHE = Path(tempfile.gettempdir()) / f"strata-bench-window-1m-{FIXTURE}"


def emoji_frame() -> Any:
    """The 1M-row table: text (unique), label (emoji name), predicted, id."""
    import numpy as np
    import polars as pl

    folder = DATA / "tweeteval" / "emoji"

    def lines(name: str) -> list[str]:
        return (folder / name).read_text(encoding="utf-8").splitlines()

    names = [line.split("\t")[2].strip("_") for line in lines("mapping.txt")]
    base = pl.concat(
        [
            pl.DataFrame({"text": lines(f"{s}_text.txt"), "code": lines(f"{s}_labels.txt")})
            for s in ("train", "val", "test")
        ]
    ).with_columns(label=pl.col("code").cast(pl.Int64).replace_strict(range(len(names)), names))
    frame = pl.concat(
        [
            base.with_columns(
                text=pl.col("text") + (f" ·{copy + 1}" if copy else ""),
                copy=pl.lit(copy, pl.Int64),
            )
            for copy in range(COPIES)
        ]
    )
    rng = np.random.default_rng(0)
    codes = frame["code"].cast(pl.Int64).to_numpy()
    wrong = rng.random(frame.height) >= 0.7
    predicted = np.where(wrong, rng.integers(0, len(names), frame.height), codes)
    return frame.select(
        id=pl.int_range(pl.len()).cast(pl.String),
        text="text",
        label="label",
        predicted=pl.Series(np.asarray(names, dtype=object)[predicted].tolist(), dtype=pl.String),
    ), codes


def build_project(folder: Path = CACHE) -> Path:
    """Build (or reuse) the 1M-row project in ``folder``; returns its path."""
    import numpy as np

    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from storage.project import Project
    from storage.stage_outputs import NewCluster, StageRecord, write_clustering, write_projection

    path, ready = folder / "window_1m.strata", folder / "ready"
    if ready.exists() and path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("window_1m.strata*"):
        old.unlink()
    frame, codes = emoji_frame()
    source = folder / "emoji_1m.parquet"
    frame.write_parquet(source)
    rng = np.random.default_rng(1)
    n_labels = int(codes.max()) + 1
    # Three blobs per label on a ring of labels; each row falls in one of its label's blobs.
    angle = 2 * np.pi * np.arange(n_labels) / n_labels
    centres = np.repeat(np.c_[np.cos(angle), np.sin(angle)] * 30.0, BLOBS_PER_LABEL, axis=0)
    centres += rng.normal(scale=6.0, size=centres.shape)
    blob = codes * BLOBS_PER_LABEL + rng.integers(0, BLOBS_PER_LABEL, codes.size)
    coords = (centres[blob] + rng.normal(scale=1.6, size=(codes.size, 2))).astype(np.float32)
    with Project.create(path) as project:
        roles = RoleMapping(id="id", text="text", label="label", pred="predicted")
        version = import_dataset(project, source, roles, name="emoji").version_id
        record = StageRecord("bench-1m-project", "project", version, {}, "bench-1m", 0.0)
        write_projection(project, record, coords, "synthetic")
        order = np.argsort(blob, kind="stable")
        bounds = np.searchsorted(blob[order], np.arange(centres.shape[0] + 1))
        clusters = [
            NewCluster(c, f"blob {c}", [], order[bounds[c] : bounds[c + 1]].astype(np.int64), None)
            for c in range(centres.shape[0])
        ]
        record = StageRecord("bench-1m-cluster", "cluster", version, {}, "bench-1m-project", 0.0)
        write_clustering(project, record, "synthetic", None, 0, clusters)
        with project.engine.connect() as conn:  # one file, so each case opens it cold
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    source.unlink()
    ready.write_text("built\n")
    return path
