"""The error modes Strata tags automatically (from the registry), and the thresholds of the ``tag`` stage."""

from __future__ import annotations

from dataclasses import dataclass

import analysis.errors.modes  # noqa: F401  (registers every error mode)
from analysis.errors.registry import tag_styles
from analysis.generative.refusal import default_phrases

# name: (colour, description) of the modes Strata ships, in the order the views list them.
MODES: dict[str, tuple[str, str]] = tag_styles()
ALL_MODES = tuple(MODES)


@dataclass(frozen=True)
class TagSpec:
    """Parameters of the ``tag`` stage.

    Attributes
    ----------
    modes : tuple of str
        Which error modes to tag (a subset of :data:`ALL_MODES`).
    low_margin : float
        ``low_margin`` below this top-1 minus top-2 probability.
    high_loss : float
        ``high_loss`` at or above this cross-entropy; 2.303 = -ln 0.1, the given label having at most
        10% probability.
    label_issue_method : str
        ``confident_learning``, ``knn``, ``combined`` or ``ranked`` (default). Chosen by mean F1 on
        BANKING77 train over four flip cases (``benchmarks/bench_label_noise.py``: uniform 10%,
        nearest-centroid 10%, towards the probe's own confusions 10% and 20%): ranked 0.828,
        combined 0.800, confident learning 0.794, kNN 0.681. Ranked loses only the nearest-centroid
        case (0.690 against 0.786: every flip of an intent to one other intent, where the noise
        estimate falls short) and wins the confusion cases, which look most like human mistakes.
    knn_threshold : float
        Share of disagreeing neighbours above which kNN calls a label inconsistent.
    near_duplicate_similarity : float
        Cosine similarity at or above which two rows are near-duplicates.
    outlier_share : float
        Share of rows tagged ``outlier``.
    error_cluster_alpha : float
        Benjamini–Hochberg false-discovery rate for error-dense clusters.
    min_annotator_confidence : float
        ``disagreement`` below this annotator confidence (0.66: fewer than two annotators in three agree).
    refusal_phrases : tuple of str
        ``refusal``: lower-case phrases that open a refusal (``analysis/generative/refusal_phrases.txt``).
    low_score_quantile : float
        ``low_score``: at or below this quantile of the run's first score (the bottom decile).
    template_similarity : float
        ``template_response``: cosine similarity at or above which two responses to different prompts
        are near-duplicates.
    prompt_copy_share : float
        ``copies_prompt``: share of the response's word 3-grams found in the prompt.
    """

    modes: tuple[str, ...] = ALL_MODES
    low_margin: float = 0.1
    high_loss: float = 2.302585
    label_issue_method: str = "ranked"
    knn_threshold: float = 0.5
    near_duplicate_similarity: float = 0.95
    outlier_share: float = 0.02
    error_cluster_alpha: float = 0.05
    min_annotator_confidence: float = 0.66
    refusal_phrases: tuple[str, ...] = default_phrases()
    low_score_quantile: float = 0.1
    template_similarity: float = 0.95
    prompt_copy_share: float = 0.8
