"""The two clusterings side by side: HDBSCAN on the 2-D map and spherical k-means on the vectors.

For each: seconds, clusters, noise share and agreement with the labels (adjusted mutual information,
Vinh, Epps & Bailey, JMLR 2010; scikit-learn's ``adjusted_mutual_info_score``). HDBSCAN's AMI is
given twice: over every row (noise counted as one more group) and over its clustered rows only.

Usage::

    .venv/bin/python benchmarks/bench_clusterings.py [FOLDER]

FOLDER holds ``vectors.npy`` (float, n × d) and ``coords.npy`` (float32, n × 2) of the 100,000 emoji
tweets (TweetEval emoji train + validation + test, in that order; benchmarks/bench_scale.py writes
them); the labels are read from ``../shared/data/tweeteval/emoji/{train,val,test}_labels.txt``.
Without FOLDER: BANKING77 train + test (13,083 texts) embedded here with the bundled model, mapped
with ``project_2d`` (UMAP on the exact kNN graph), labels from its ``category`` column; ``--cache DIR``
keeps those vectors and that map in DIR for the next run (embedding is the slow part on a CPU).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
from common import DATA, print_table, timed


def emoji_data(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Vectors, 2-D map and labels of the emoji tweets from ``folder``."""
    vectors = np.load(folder / "vectors.npy")
    coords = np.load(folder / "coords.npy").astype(np.float32)
    parts = [
        (DATA / "tweeteval" / "emoji" / f"{s}_labels.txt").read_text().split()
        for s in ("train", "val", "test")
    ]
    labels = np.array([int(v) for part in parts for v in part], dtype=np.int64)
    if not len(vectors) == len(coords) == len(labels):
        raise SystemExit(
            f"{folder}: {len(vectors):,} vectors, {len(coords):,} map points and {len(labels):,} labels; "
            "expected the same number (train + val + test in that order)."
        )
    return vectors, coords, labels, f"TweetEval emoji ({len(labels):,} tweets)"


def banking_data(cache: Path | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """BANKING77 train + test embedded with the bundled model, mapped with UMAP (or read from
    ``cache``, where they are written once made)."""
    import polars as pl

    from analysis.map.embed import BUNDLED_MODEL, load_encoder
    from analysis.map.neighbours import NeighboursSpec, knn_graph
    from analysis.map.projection import ProjectSpec, project_2d
    from analysis.progress import NullProgress

    frame = pl.concat([pl.read_csv(DATA / "banking77" / f"{s}.csv") for s in ("train", "test")])
    _, labels = np.unique(frame["category"].to_numpy(), return_inverse=True)
    title = f"BANKING77 train + test ({frame.height:,} texts)"
    vectors_file, coords_file = (
        (cache / "banking_vectors.npy", cache / "banking_coords.npy") if cache else (None, None)
    )
    if vectors_file is not None and vectors_file.is_file():
        vectors = np.load(vectors_file)
        print(f"vectors read from {vectors_file}", flush=True)
    else:
        encoder = load_encoder(BUNDLED_MODEL, "cpu")
        texts = frame["text"].to_list()
        encoded, seconds = timed(
            lambda: encoder.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        )
        print(f"embedded {len(texts):,} texts in {seconds:.1f} s", flush=True)
        vectors = np.asarray(encoded, dtype=np.float32)
        if vectors_file is not None:
            vectors_file.parent.mkdir(parents=True, exist_ok=True)
            np.save(vectors_file, vectors)
    if coords_file is not None and coords_file.is_file():
        coords = np.load(coords_file)
        print(f"map read from {coords_file}", flush=True)
    else:
        idx, dist, _ = knn_graph(vectors, NeighboursSpec(), NullProgress(), "cpu")
        (coords, _), seconds = timed(lambda: project_2d(vectors, idx, dist, ProjectSpec(), NullProgress()))
        print(f"mapped them in {seconds:.1f} s (UMAP)", flush=True)
        if coords_file is not None:
            np.save(coords_file, coords)
    return vectors, coords, labels.astype(np.int64), title


def measure(name: str, labels: np.ndarray, truth: np.ndarray, seconds: float) -> dict[str, Any]:
    """One table row: the clustering's size, noise and AMI with the given labels."""
    from sklearn.metrics import adjusted_mutual_info_score as ami

    clustered = labels >= 0
    return {
        "method": name,
        "seconds": seconds,
        "clusters": int(np.unique(labels[clustered]).size),
        "noise share": float(1 - clustered.mean()),
        "AMI (all rows)": float(ami(truth, labels)),
        "AMI (clustered rows)": float(ami(truth[clustered], labels[clustered])) if clustered.any() else 0.0,
    }


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, help="folder with vectors.npy and coords.npy (emoji)")
    parser.add_argument("--cache", type=Path, help="without FOLDER: keep BANKING77's vectors and map here")
    args = parser.parse_args(argv)
    from analysis.map.clustering import ClusterSpec, hdbscan_labels, resolved_min_cluster_size
    from analysis.map.spherical import SphereClusterSpec, resolved_k, spherical_kmeans
    from analysis.progress import NullProgress

    if args.folder is not None:
        vectors, coords, truth, title = emoji_data(args.folder)
    else:
        vectors, coords, truth, title = banking_data(args.cache)
    n, classes = len(truth), int(np.unique(truth).size)
    rows = []
    hdb, seconds = timed(lambda: hdbscan_labels(coords, ClusterSpec(), NullProgress()))
    size = resolved_min_cluster_size(ClusterSpec(), n)
    rows.append(measure(f"HDBSCAN on the map (min cluster size {size})", hdb, truth, seconds))
    for spec, why in ((SphereClusterSpec(), "rule"), (SphereClusterSpec(k=classes), "k = classes")):
        sphere, seconds = timed(lambda spec=spec: spherical_kmeans(vectors, spec, NullProgress()))
        k = resolved_k(spec, n)
        rows.append(measure(f"spherical k-means on the vectors (k = {k}, {why})", sphere, truth, seconds))
    columns = ["method", "seconds", "clusters", "noise share", "AMI (all rows)", "AMI (clustered rows)"]
    return print_table(f"Clusterings of {title}, {classes} classes", rows, columns)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
