"""Cluster names from keywords: class-based TF-IDF.

c-TF-IDF (Grootendorst, "BERTopic", arXiv:2203.05794, 2022) treats all texts of a cluster as one
document: weight(t, c) = tf(t, c) / |c| · log(1 + A / f(t)), with A the mean number of words per
cluster and f(t) the frequency of t over all clusters. Term counting uses scikit-learn's
CountVectorizer with its English stop words.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def cluster_keywords(texts: list[str], labels: NDArray[np.int64], top: int = 5) -> dict[int, list[str]]:
    """Return the top c-TF-IDF keywords of each cluster.

    Parameters
    ----------
    texts : list of str
        One text per row, length n.
    labels : numpy.ndarray
        int64 (n,) cluster label per row, -1 for noise (ignored).
    top : int
        Keywords per cluster.

    Returns
    -------
    dict of int to list of str
        Keywords by cluster label, best first (empty when a cluster has no countable words).
    """
    from sklearn.feature_extraction.text import CountVectorizer

    clusters = sorted(int(c) for c in np.unique(labels) if c >= 0)
    if not clusters:
        return {}
    docs = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == c) for c in clusters]
    vectorizer = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    try:
        counts = vectorizer.fit_transform(docs).astype(np.float64)
    except ValueError:  # every word was a stop word
        return {c: [] for c in clusters}
    words_per_cluster = np.asarray(counts.sum(axis=1)).ravel()
    tf = counts.multiply(1.0 / np.maximum(words_per_cluster, 1.0)[:, None]).tocsr()
    term_freq = np.asarray(counts.sum(axis=0)).ravel()
    idf = np.log1p(words_per_cluster.mean() / np.maximum(term_freq, 1.0))
    weights = tf.multiply(idf).toarray()
    vocab = vectorizer.get_feature_names_out()
    result: dict[int, list[str]] = {}
    for row, c in enumerate(clusters):
        order = np.argsort(-weights[row])[:top]
        result[c] = [str(vocab[j]) for j in order if weights[row, j] > 0]
    return result


def cluster_name(keywords: list[str], label: int) -> str:
    """Return a short display name from the first three keywords."""
    return " · ".join(keywords[:3]) if keywords else f"cluster {label}"
