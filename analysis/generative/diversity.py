"""Diversity of a set of texts (a run's responses, a version's prompts or any text column): the
model-collapse warning of synthetic-data loops, where each generation of data repeats itself more.

Every measure is taken on a fixed-size random sample, the same size for every set compared: distinct-n
falls as a corpus grows (more texts repeat more n-grams), so ratios of sets of different sizes would
not compare. Sources: distinct-n, Li et al. 2016 ("A Diversity-Promoting Objective Function for Neural
Conversation Models"); the embedding measures follow Shumailov et al. 2024 ("AI models collapse when
trained on recursively generated data"), who watch the spread of generated data shrink.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

SAMPLE = 1000
NEAR_DUPLICATE = 0.95
CLUSTERS = 16
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Diversity:
    """The diversity of one set of texts, measured on a sample of it.

    Attributes
    ----------
    texts : int
        Texts in the set.
    sample : int
        Texts the measures were taken on: the same number for every set compared, at most
        :data:`SAMPLE` (:func:`analysis.drift.diversity.measure_diversity`).
    distinct_1, distinct_2 : float
        Distinct unigrams (bigrams) over all unigrams (bigrams) of the sample, in [0, 1].
    mean_cosine_distance : float
        Mean cosine distance between two different texts' embeddings, in [0, 2].
    near_duplicate_share : float
        Share of sampled texts with another sampled text at cosine similarity ≥ 0.95.
    cluster_entropy : float
        Shannon entropy of the sample's clusters (k-means fitted on every set compared together),
        divided by log k: 1 spreads evenly over the clusters, 0 sits in one.
    """

    texts: int
    sample: int
    distinct_1: float
    distinct_2: float
    mean_cosine_distance: float
    near_duplicate_share: float
    cluster_entropy: float = float("nan")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return asdict(self)


def sample_rows(n: int, size: int = SAMPLE, seed: int = 0) -> NDArray[np.int64]:
    """Sorted row indices of a uniform sample of ``min(n, size)`` rows without replacement, int64."""
    if n <= size:
        return np.arange(n, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False)).astype(np.int64)


def distinct_n(texts: list[str], n: int) -> float:
    """Distinct word n-grams over all word n-grams of ``texts`` (lower-cased ``\\w+`` words), in [0, 1];
    NaN when the texts hold no n-gram."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for text in texts:
        words = WORD.findall(text.lower())
        grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
        total += len(grams)
        seen.update(grams)
    return float(len(seen) / total) if total else float("nan")


def mean_cosine_distance(vectors: NDArray[np.floating]) -> float:
    """Mean cosine distance over all pairs of different rows of L2-normalised ``vectors`` (m, d).

    Uses sum_{i != j} v_i . v_j = |sum_i v_i|^2 - m, so it costs O(m d), not O(m^2 d).
    """
    m = vectors.shape[0]
    if m < 2:
        return float("nan")
    total = vectors.astype(np.float64).sum(axis=0)
    similarity = (float(total @ total) - m) / (m * (m - 1))
    return float(1.0 - similarity)


def near_duplicate_share(vectors: NDArray[np.floating], threshold: float = NEAR_DUPLICATE) -> float:
    """Share of rows of L2-normalised ``vectors`` (m, d) whose most similar other row is at cosine
    similarity ≥ ``threshold`` (exact: an m × m product, for samples)."""
    m = vectors.shape[0]
    if m < 2:
        return float("nan")
    v = vectors.astype(np.float32)
    similarity = v @ v.T
    np.fill_diagonal(similarity, -1.0)
    return float(np.mean(similarity.max(axis=1) >= threshold))


def normalised_entropy(labels: NDArray[np.integer], k: int) -> float:
    """Shannon entropy of ``labels`` (values 0…k-1) divided by log k, in [0, 1]; NaN without labels."""
    if labels.size == 0 or k < 2:
        return float("nan")
    shares = np.bincount(labels, minlength=k) / labels.size
    shares = shares[shares > 0]
    return float(-(shares * np.log(shares)).sum() / math.log(k))


def diversity(texts: list[str], vectors: NDArray[np.floating], total: int | None = None) -> Diversity:
    """The measures of one sample (cluster entropy is filled by :func:`with_cluster_entropy`).

    Parameters
    ----------
    texts : list of str
        The sampled texts, m of them.
    vectors : numpy.ndarray
        Their L2-normalised embeddings, shape (m, d).
    total : int, optional
        Texts in the whole set (default m).
    """
    return Diversity(
        texts=len(texts) if total is None else total,
        sample=len(texts),
        distinct_1=distinct_n(texts, 1),
        distinct_2=distinct_n(texts, 2),
        mean_cosine_distance=mean_cosine_distance(vectors),
        near_duplicate_share=near_duplicate_share(vectors),
    )


def with_cluster_entropy(
    measured: list[Diversity], vectors: list[NDArray[np.floating]], k: int = CLUSTERS, seed: int = 0
) -> list[Diversity]:
    """Each set's cluster entropy, with one k-means (scikit-learn) fitted on every set's sample
    together, so that the clusters are the same for all sets compared.

    Parameters
    ----------
    measured : list of Diversity
    vectors : list of numpy.ndarray
        Each set's sample vectors, in the order of ``measured``.
    """
    from sklearn.cluster import KMeans

    pooled = np.vstack([v for v in vectors if len(v)]) if any(len(v) for v in vectors) else np.zeros((0, 1))
    # fitted on distinct vectors: a text repeated a hundred times would otherwise pull clusters onto
    # itself and make a collapsed set look evenly spread
    pooled = np.unique(pooled, axis=0)
    k = min(k, len(pooled))
    if k < 2:
        return measured
    model = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(pooled.astype(np.float64))
    out = []
    for d, v in zip(measured, vectors, strict=True):
        entropy = normalised_entropy(model.predict(v.astype(np.float64)), k) if len(v) else float("nan")
        out.append(replace(d, cluster_entropy=entropy))
    return out


# A drop worth a warning, relative to the earlier value: a tenth of distinct-n or of the cluster entropy;
# a twentieth of the mean cosine distance, which texts keep in a narrow band (0.90–0.97 on AlpacaEval:
# two fresh samples of one model's answers differ by under 2%, the same 12 answers repeated by 6%);
# or five more points of near-duplicates.
RELATIVE_DROP = {
    "distinct_1": 0.10,
    "distinct_2": 0.10,
    "mean_cosine_distance": 0.05,
    "cluster_entropy": 0.10,
}
NEAR_DUPLICATE_RISE = 0.05
MEASURES = ("distinct_1", "distinct_2", "mean_cosine_distance", "near_duplicate_share", "cluster_entropy")


def dropped(before: Diversity, after: Diversity) -> list[str]:
    """The measures that fell (for near-duplicates: rose) enough from ``before`` to ``after`` to flag
    (:data:`RELATIVE_DROP`, :data:`NEAR_DUPLICATE_RISE`)."""
    flagged = []
    for name in MEASURES:
        b, a = getattr(before, name), getattr(after, name)
        if math.isnan(a) or math.isnan(b):
            continue
        if name == "near_duplicate_share":
            if a - b > NEAR_DUPLICATE_RISE:
                flagged.append(name)
        elif b > 0 and (b - a) / b > RELATIVE_DROP[name]:
            flagged.append(name)
    return flagged
