"""Contamination, the science: which rows of one set are copies of rows of another (an evaluation
split, a gold set), found three ways.

- **exact**: the same text once normalised (Unicode NFKC, casefolded, punctuation removed, whitespace
  collapsed), as lm-evaluation-harness's decontamination "janitor" normalises before comparing.
- **near**: cosine similarity of the stored sentence embeddings at least a threshold (0.95 by default,
  DESIGN.md's near-duplicate rule), nearest row found by exact search (faiss's flat index).
- **ngram**: a run of n words (13 by default) shared with a row of the other set, after the same
  normalisation. GPT-3 (Brown et al. 2020, appendix C) called a document contaminated when *any*
  n-gram (n from 8 to 13 by dataset) overlapped; lm-evaluation-harness uses n = 13 throughout. Rows
  shorter than n words have no n-gram: an identical short row is still an exact copy.

A row that matches several ways gets the strongest kind (exact, then near, then ngram) and the row it
matches that way. Pure functions over lists of texts and arrays of vectors;
:mod:`analysis.labeling.contamination_check` runs them on a project.
"""

from __future__ import annotations

import string
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

EXACT, NEAR, NGRAM = "exact", "near", "ngram"
KINDS = (EXACT, NEAR, NGRAM)  # strongest first
DEFAULT_THRESHOLD = 0.95
DEFAULT_NGRAM = 13
# An odd 64-bit multiplier for the rolling n-gram hash (arithmetic modulo 2**64): about 5 million
# n-grams collide with probability ~1e-6.
_BASE = np.uint64(0x9E3779B97F4A7C15)


@cache
def _punctuation() -> dict[int, None]:
    """Every Unicode punctuation character (categories P*) and ASCII's symbols in ``string.punctuation``."""
    table: dict[int, None] = {ord(c): None for c in string.punctuation}
    table.update({i: None for i in range(sys.maxunicode + 1) if unicodedata.category(chr(i))[0] == "P"})
    return table


def normalise(text: str) -> str:
    """The text as copies are compared: NFKC, casefolded, punctuation removed, whitespace collapsed.

    >>> normalise("Janet’s ducks lay 16 eggs  per day!")
    'janets ducks lay 16 eggs per day'
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_punctuation()).split())


def exact_matches(checked: list[str], against: list[str]) -> NDArray[np.int64]:
    """For each checked text (normalised), the first ``against`` text equal to it.

    Parameters
    ----------
    checked, against : list of str
        Normalised texts (:func:`normalise`), lengths m and n. Empty texts match nothing.

    Returns
    -------
    numpy.ndarray
        int64 (m,): index into ``against``, -1 where there is no copy.
    """
    first: dict[str, int] = {}
    for i, t in enumerate(against):
        if t:
            first.setdefault(t, i)
    return np.fromiter((first.get(t, -1) if t else -1 for t in checked), dtype=np.int64, count=len(checked))


def _gram_hashes(
    texts: list[str], vocabulary: dict[str, int], n: int
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """Rolling hashes of every n-word window of each text, and the text each window is in."""
    ids: list[int] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for i, t in enumerate(texts):
        words = t.split()
        lengths[i] = len(words)
        ids.extend(vocabulary.setdefault(w, len(vocabulary) + 1) for w in words)
    tokens = np.asarray(ids, dtype=np.uint64)
    windows = tokens.size - n + 1
    if windows <= 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    hashes = np.zeros(windows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):  # h = sum_j ids[p + j] * B^(n-1-j), mod 2**64
            hashes = hashes * _BASE + tokens[j : j + windows]
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[:windows]
    ends = np.cumsum(lengths)
    inside = np.arange(windows) + n <= ends[owner]  # the window does not run into the next text
    return hashes[inside], owner[inside]


def ngram_matches(
    checked: list[str], against: list[str], n: int = DEFAULT_NGRAM
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Long n-gram overlap: for each checked text, the ``against`` text it shares most n-grams with.

    Parameters
    ----------
    checked, against : list of str
        Normalised texts (words split on whitespace), lengths m and n_against.
    n : int
        Words per n-gram (13: GPT-3's and lm-evaluation-harness's decontamination).

    Returns
    -------
    match : numpy.ndarray
        int64 (m,): index into ``against`` (-1: no shared n-gram). Of the texts sharing n-grams with
        the row, the one sharing most (each n-gram counted for the first text holding it).
    share : numpy.ndarray
        float64 (m,): the share of the row's n-grams found anywhere in ``against`` (0 for rows
        shorter than n words).

    Raises
    ------
    ValueError
        When ``n`` < 1.
    """
    if n < 1:
        raise ValueError("An n-gram needs at least one word.")
    m = len(checked)
    vocabulary: dict[str, int] = {}
    a_hash, a_row = _gram_hashes(against, vocabulary, n)
    c_hash, c_row = _gram_hashes(checked, vocabulary, n)
    match = np.full(m, -1, dtype=np.int64)
    share = np.zeros(m, dtype=np.float64)
    if a_hash.size == 0 or c_hash.size == 0:
        return match, share
    unique, first = np.unique(a_hash, return_index=True)
    owner = a_row[first]
    at = np.clip(np.searchsorted(unique, c_hash), 0, unique.size - 1)
    hit = unique[at] == c_hash
    totals = np.bincount(c_row, minlength=m)
    hits = np.bincount(c_row[hit], minlength=m)
    np.divide(hits, totals, out=share, where=totals > 0)
    if not hit.any():
        return match, share
    # the owner each row shares most n-grams with: count (row, owner) pairs, keep each row's largest
    pairs, counts = np.unique(np.stack([c_row[hit], owner[at[hit]]]), axis=1, return_counts=True)
    order = np.lexsort((-counts, pairs[0]))
    rows, owners = pairs[0][order], pairs[1][order]
    firsts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    match[rows[firsts]] = owners[firsts]
    return match, share


def near_matches(
    checked: NDArray[np.float32], against: NDArray[np.float32]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The nearest ``against`` vector to each checked one, by cosine similarity (exact search).

    Parameters
    ----------
    checked, against : numpy.ndarray
        float32 (m, d) and (n, d), L2-normalised (the stored embeddings are), n ≥ 1.

    Returns
    -------
    match : numpy.ndarray
        int64 (m,): index into ``against``.
    similarity : numpy.ndarray
        float64 (m,): cosine similarity to it.

    Notes
    -----
    faiss's flat inner-product index (Johnson et al., "Billion-scale similarity search with GPUs",
    2019) compares every pair in blocked matrix products on every core: exact, as
    :func:`analysis.map.neighbours.nearest_rows`, without the map package.
    """
    import faiss

    if len(checked) == 0:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    index = faiss.IndexFlatIP(against.shape[1])
    index.add(np.ascontiguousarray(against, dtype=np.float32))
    similarity, match = index.search(np.ascontiguousarray(checked, dtype=np.float32), 1)
    return match[:, 0].astype(np.int64), similarity[:, 0].astype(np.float64)


@dataclass(frozen=True)
class Matches:
    """How each checked row matches the other set.

    Attributes
    ----------
    kind : numpy.ndarray
        object (m,) of str: the strongest kind found (:data:`KINDS`), ``""`` for a clean row.
    kinds : list of tuple of str
        Length m: every kind found, strongest first.
    match : numpy.ndarray
        int64 (m,): index of the matching row of the other set for ``kind`` (-1 when clean).
    similarity : numpy.ndarray
        float64 (m,): cosine similarity to the nearest row of the other set (NaN without vectors).
    near_match : numpy.ndarray
        int64 (m,): that nearest row (-1 without vectors).
    overlap : numpy.ndarray
        float64 (m,): share of the row's n-grams found in the other set.
    """

    kind: NDArray[np.object_]
    kinds: list[tuple[str, ...]]
    match: NDArray[np.int64]
    similarity: NDArray[np.float64]
    near_match: NDArray[np.int64]
    overlap: NDArray[np.float64]

    @property
    def found(self) -> NDArray[np.bool_]:
        """bool (m,): the contaminated rows."""
        return np.asarray(self.kind != "", dtype=bool)

    def score(self) -> NDArray[np.float64]:
        """float64 (m,): 1 for an exact copy, the cosine similarity for a near copy, the n-gram share
        for an overlap; 0 for clean rows."""
        kind = self.kind
        return np.select(
            [kind == EXACT, kind == NEAR, kind == NGRAM], [1.0, self.similarity, self.overlap], 0.0
        ).astype(np.float64)


def find_matches(
    checked: list[str],
    against: list[str],
    checked_vectors: NDArray[np.float32] | None = None,
    against_vectors: NDArray[np.float32] | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    n: int = DEFAULT_NGRAM,
    kinds: tuple[str, ...] = KINDS,
) -> Matches:
    """Check every row of ``checked`` against ``against`` in the ways asked for.

    Parameters
    ----------
    checked, against : list of str
        Raw texts, lengths m and n (normalised here).
    checked_vectors, against_vectors : numpy.ndarray or None
        float32 (m, d) and (n, d) L2-normalised embeddings of the same texts in the same model;
        needed for ``near``.
    threshold : float
        Least cosine similarity of a near copy.
    n : int
        Words per n-gram.
    kinds : tuple of str
        Which of :data:`KINDS` to look for.

    Returns
    -------
    Matches

    Raises
    ------
    ValueError
        For an unknown kind, or ``near`` without vectors (when both sets have rows).
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown contamination kinds {sorted(unknown)}; use {', '.join(KINDS)}.")
    m = len(checked)
    norm_c, norm_a = [normalise(t) for t in checked], [normalise(t) for t in against]
    found: dict[str, NDArray[np.int64]] = {}
    if EXACT in kinds:
        found[EXACT] = exact_matches(norm_c, norm_a)
    similarity = np.full(m, np.nan)
    near_match = np.full(m, -1, dtype=np.int64)
    if checked_vectors is not None and against_vectors is not None and len(against):
        near_match, similarity = near_matches(checked_vectors, against_vectors)
        blank = np.array([not t for t in norm_c], dtype=bool)
        similarity[blank] = np.nan  # an empty text's vector says nothing
    elif NEAR in kinds and m and len(against):
        raise ValueError("Near copies are found on embeddings: give the vectors of both sets.")
    if NEAR in kinds:
        found[NEAR] = np.where(similarity >= threshold, near_match, -1)
    overlap = np.zeros(m)
    if NGRAM in kinds:
        found[NGRAM], overlap = ngram_matches(norm_c, norm_a, n)
    kind = np.full(m, "", dtype=object)
    match = np.full(m, -1, dtype=np.int64)
    for k in reversed(KINDS):  # the strongest kind written last wins
        if k in found:
            hit = found[k] >= 0
            kind[hit], match[hit] = k, found[k][hit]
    every = [tuple(k for k in KINDS if k in found and found[k][i] >= 0) for i in range(m)]
    return Matches(kind, every, match, similarity, near_match, overlap)
