"""Active learning on BANKING77: accuracy of the probe per labelling round, per strategy.

What it measures: BANKING77 train (10,003 texts, 77 intents) is the pool. Each run starts from 2
labelled rows per intent (154, drawn by the seed), then 5 rounds each label 200 more rows chosen by a
strategy of :mod:`analysis.labeling.active` (``random``, ``uncertainty`` = margin, ``diversity``,
``mix``), the labels revealed from the real ones. Before each round the probe is retrained on the
labelled rows: logistic regression on the embeddings with the probe stage's settings (lbfgs, ``C``
from :class:`analysis.labeling.probe.ProbeSpec`, 1,000 iterations; one fit on every labelled row
rather than the stage's 5 fold models, whose mean it approximates for the unlabelled rows). The
table gives its accuracy on the held-out BANKING77 test split (3,080 texts) after 0…5 rounds
(154…1,154 labels), mean ± standard deviation over 3 seeds (the seed draws the starting rows and
seeds the strategies). Embeddings: the bundled all-MiniLM-L6-v2 through the embed stage's CPU
backend (ONNX int8), cached under Strata's cache folder. Clusters (``diversity``): spherical k-means
on the train embeddings with the ``cluster_sphere`` stage's defaults (k = 32 for 10,003 rows), the
clustering a version gets from the pipeline.

The default strategy (``DEFAULT_STRATEGY`` in :mod:`analysis.labeling.active`) is ``mix``, chosen
by these figures: it beats ``random`` at every round (see ``benchmarks/README.md``, "Active
learning"); run this module to check it again (it prints whether it does).
"""

from __future__ import annotations

import hashlib
import sys
import time
from typing import Any

import numpy as np
from common import DATA, print_table

STRATEGIES = ("random", "uncertainty", "diversity", "mix")
ROUNDS, BATCH, START_PER_CLASS, SEEDS = 5, 200, 2, (0, 1, 2)


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised float32 (n, 384) embeddings of ``texts`` by the embed stage's CPU backend, cached
    under Strata's cache folder by the texts' digest."""
    from analysis.map.embed import BUNDLED_MODEL, model_path
    from analysis.map.encoders import resolve_backend
    from analysis.map.encoders.onnx_export import cache_root
    from analysis.progress import NullProgress

    folder = model_path(BUNDLED_MODEL)
    backend = resolve_backend("auto", "cpu", folder)
    digest = hashlib.sha256("\x1f".join([backend.name, BUNDLED_MODEL, *texts]).encode()).hexdigest()[:16]
    cached = cache_root() / "bench" / f"vectors-{digest}.npy"
    if cached.exists():
        return np.load(cached)
    encoder = backend.load(folder, "cpu", NullProgress())
    vectors = encoder.encode(texts, None, NullProgress())
    encoder.close()
    cached.parent.mkdir(parents=True, exist_ok=True)
    np.save(cached, vectors)
    return vectors


def load() -> dict[str, Any]:
    """Train and test texts' embeddings, intent codes, and the train pool's clusters."""
    import polars as pl

    from analysis.map.spherical import SphereClusterSpec, spherical_kmeans
    from analysis.progress import NullProgress

    train = pl.read_csv(DATA / "banking77" / "train.csv")
    test = pl.read_csv(DATA / "banking77" / "test.csv")
    classes = sorted(train["category"].unique().to_list())
    index = {c: i for i, c in enumerate(classes)}
    vectors = embed(train["text"].to_list() + test["text"].to_list())
    return {
        "train": vectors[: train.height],
        "test": vectors[train.height :],
        "train_codes": np.array([index[c] for c in train["category"].to_list()]),
        "test_codes": np.array([index[c] for c in test["category"].to_list()]),
        "clusters": spherical_kmeans(vectors[: train.height], SphereClusterSpec(), NullProgress()),
    }


def fit_probe(vectors: np.ndarray, codes: np.ndarray) -> Any:
    """The probe's classifier (its settings) trained on the labelled rows."""
    from sklearn.linear_model import LogisticRegression

    from analysis.labeling.probe import ProbeSpec

    return LogisticRegression(C=ProbeSpec().regularisation, max_iter=1000).fit(vectors, codes)


def start(codes: np.ndarray, seed: int) -> np.ndarray:
    """``START_PER_CLASS`` rows of every class, drawn by ``seed``: bool mask of the labelled rows."""
    rng = np.random.default_rng(seed)
    labelled = np.zeros(codes.size, dtype=bool)
    for c in np.unique(codes):
        labelled[rng.choice(np.flatnonzero(codes == c), START_PER_CLASS, replace=False)] = True
    return labelled


def simulate(data: dict[str, Any], strategy: str, seed: int, first: Any = None) -> list[float]:
    """Test accuracy of the probe after 0…ROUNDS rounds of ``strategy`` (labels revealed); ``first``
    is the probe of the starting rows when already fitted (it depends on the seed only)."""
    from analysis.labeling.active import LabelPool, rank_rows

    x, codes = data["train"], data["train_codes"]
    labelled = start(codes, seed)
    accuracies = []
    for round_ in range(ROUNDS + 1):
        fitted = first if round_ == 0 and first is not None else None
        model = fitted or fit_probe(x[labelled], codes[labelled])
        accuracies.append(float((model.predict(data["test"]) == data["test_codes"]).mean()))
        if round_ == ROUNDS:
            break
        pool = LabelPool(
            candidates=np.flatnonzero(~labelled),
            labelled=labelled,
            probabilities=model.predict_proba(x),
            clusters=data["clusters"],
            vectors=x,
        )
        picked = rank_rows(pool, strategy, BATCH, seed=seed * 100 + round_).rows
        labelled = labelled.copy()
        labelled[picked] = True  # the labels are revealed from the real ones
    return accuracies


def evaluate(data: dict[str, Any], strategies: tuple[str, ...] = STRATEGIES) -> dict[str, np.ndarray]:
    """Strategy → float (seeds, ROUNDS + 1) test accuracies."""
    x, codes = data["train"], data["train_codes"]
    firsts = {seed: fit_probe(x[start(codes, seed)], codes[start(codes, seed)]) for seed in SEEDS}
    return {s: np.array([simulate(data, s, seed, firsts[seed]) for seed in SEEDS]) for s in strategies}


def table_rows(results: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """One row per strategy: mean ± sd per round, and whether it beats random at every round."""
    baseline = results["random"].mean(axis=0)
    rows = []
    for strategy, acc in results.items():
        mean, sd = acc.mean(axis=0), acc.std(axis=0, ddof=1)
        row: dict[str, Any] = {"strategy": strategy}
        for r in range(ROUNDS + 1):
            row[_column(r)] = f"{mean[r]:.3f} ± {sd[r]:.3f}"
        row["beats random every round"] = (
            "—" if strategy == "random" else ("yes" if (mean[1:] > baseline[1:]).all() else "no")
        )
        rows.append(row)
    return rows


def _column(round_: int) -> str:
    return f"{START_PER_CLASS * 77 + BATCH * round_:,} labels"


def main() -> str:
    started = time.perf_counter()
    data = load()
    results = evaluate(data)
    columns = ["strategy", *(_column(r) for r in range(ROUNDS + 1)), "beats random every round"]
    title = (
        f"Active learning, BANKING77 train pool: probe accuracy on the test split after each round of "
        f"{BATCH} labels (3 seeds, mean ± sd)"
    )
    text = print_table(title, table_rows(results), columns)
    print(f"({time.perf_counter() - started:.0f} s in all)")
    return text


if __name__ == "__main__":
    sys.exit(main() and 0)
