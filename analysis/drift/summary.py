"""A drift report in a few sentences, as the drift view's note and ``strata drift`` print it."""

from __future__ import annotations

from analysis.drift.report import EMBEDDING_AUC_DRIFT, DriftResult


def drift_summary(result: DriftResult) -> str:
    """Rows per side, how many columns drift, the embedding tests and how the current rows were placed
    on the anchor version's map.

    Returns
    -------
    str
        Plain text, one paragraph.
    """
    drifted = sum(d.drift for d in result.columns)
    text = (
        f"Reference {result.reference_rows:,} rows, current {result.current_rows:,} rows: "
        f"{drifted} of {len(result.columns)} columns drift (Evidently's defaults by reference size; "
        "a two-sample test marks significant shifts below the threshold)."
    )
    if result.embeddings:
        e = result.embeddings
        text += (
            f" Embeddings: domain-classifier AUC {e['domain_classifier_auc']:.3f} "
            f"({'drift' if e['drift'] else 'no drift'} at {EMBEDDING_AUC_DRIFT}), "
            f"MMD p = {e['mmd_p_value']:.3g}."
        )
    placed = result.placement.get("current", {})
    if result.clusters and "same row" not in placed:
        how = ", ".join(f"{n:,} by {k}" for k, n in placed.items())
        text += f" Current rows placed on version {result.anchor_version}'s map: {how}."
    if result.diversity:
        drops = sorted(
            {f"{d['source']} ({d['measure'].replace('_', ' ')})" for d in result.diversity if d["dropped"]}
        )
        text += (
            f" Diversity dropped: {', '.join(drops)}."
            if drops
            else " Diversity: no drop between the two sides."
        )
    return text
