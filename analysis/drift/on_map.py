"""Reference and current rows placed on one version's map, for drift drawn where it happens: each
cluster's share of either side, and the difference of their densities.

A row of another version sits on the anchor version's row with the same text when there is one, else
on its nearest neighbour by embedding (cosine) — the usual way to carry a fixed map and clustering
over to new data without refitting UMAP or HDBSCAN, which would move every cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.stats import wilson_interval
from analysis.view_frame import ViewFrame
from storage.errors import StrataError
from storage.project import Project


@dataclass(frozen=True)
class Placement:
    """Where one side's rows sit on the anchor version's map.

    Attributes
    ----------
    anchor_rows : numpy.ndarray
        int64 (n,): the anchor row each side row sits on, -1 when it could not be placed.
    how : dict of str to int
        Rows placed as ``same row`` (same version), ``same text``, ``nearest neighbour``, ``unplaced``.
    """

    anchor_rows: NDArray[np.int64]
    how: dict[str, int]


def place_rows(project: Project, anchor: ViewFrame, version: int, table: pl.DataFrame) -> Placement:
    """Place rows of ``version`` (a filtered table of it) on the anchor version's rows.

    Parameters
    ----------
    anchor : ViewFrame
        The version whose map and clusters are used.
    table : polars.DataFrame
        Rows of ``version`` with ``_row_id`` and ``_content_hash``.

    Returns
    -------
    Placement
        Rows whose text is new to the anchor need both versions embedded; without embeddings they
        stay unplaced (the count says so).
    """
    from analysis.map.neighbours import nearest_rows
    from storage.embeddings import version_vectors

    n = table.height
    if version == anchor.version_id:
        return Placement(table["_row_id"].to_numpy().astype(np.int64), {"same row": n})
    if "_content_hash" not in anchor.rows.columns or table["_content_hash"].null_count() == n:
        return Placement(np.full(n, -1, np.int64), {"unplaced": n})
    first = anchor.rows.select("_content_hash", "_row_id").unique("_content_hash", keep="first")
    joined = table.select("_content_hash").join(first, on="_content_hash", how="left", maintain_order="left")
    rows = joined["_row_id"].fill_null(-1).to_numpy().astype(np.int64)
    missing = np.flatnonzero(rows < 0)
    how = {"same text": n - missing.size}
    if missing.size:
        try:
            queries = version_vectors(project, version, table["_content_hash"].gather(missing).to_list())
            base = version_vectors(project, anchor.version_id, anchor.rows["_content_hash"].to_list())
        except StrataError:
            how["unplaced"] = int(missing.size)
        else:
            rows[missing] = nearest_rows(base, queries)
            how["nearest neighbour"] = int(missing.size)
    return Placement(rows, how)


def cluster_share_shift(reference: NDArray[np.int64], current: NDArray[np.int64]) -> list[dict[str, Any]]:
    """Each cluster's share of the reference and the current rows, with 95% Wilson intervals.

    Parameters
    ----------
    reference, current : numpy.ndarray
        int64 cluster label of each row of either side (-1 is HDBSCAN's noise, kept as a group).

    Returns
    -------
    list of dict
        ``cluster``, ``reference_share`` / ``current_share`` with ``_ci`` intervals, ``change``
        (current minus reference) and ``significant`` (the intervals do not overlap); largest change
        first.
    """
    out = []
    for c in np.union1d(np.unique(reference), np.unique(current)):
        kr, kc = int((reference == c).sum()), int((current == c).sum())
        (lr, hr), (lc, hc) = wilson_interval(kr, reference.size), wilson_interval(kc, current.size)
        out.append(
            {
                "cluster": int(c),
                "reference_share": kr / max(reference.size, 1),
                "reference_ci": [float(lr), float(hr)],
                "current_share": kc / max(current.size, 1),
                "current_ci": [float(lc), float(hc)],
                "change": kc / max(current.size, 1) - kr / max(reference.size, 1),
                "significant": bool(hc < lr or hr < lc),
            }
        )
    return sorted(out, key=lambda r: -abs(r["change"]))


def difference_density(
    reference: NDArray[np.floating],
    current: NDArray[np.floating],
    extent: tuple[float, float, float, float],
    shape: tuple[int, int] = (96, 96),
    sigma: float = 1.5,
) -> NDArray[np.float64]:
    """Current minus reference density on a grid over the map, each side normalised to sum to 1.

    Parameters
    ----------
    reference, current : numpy.ndarray
        float (n, 2) map positions of either side.
    extent : tuple of float
        (x0, y0, x1, y1) of the grid.
    shape : tuple of int
        (rows, columns) of the grid; row 0 is at y0.
    sigma : float
        Gaussian smoothing in cells (``scipy.ndimage.gaussian_filter``).

    Returns
    -------
    numpy.ndarray
        float64 ``shape``: positive where the current rows are denser, negative where the reference
        rows are; sums to 0.
    """
    from scipy.ndimage import gaussian_filter

    x0, y0, x1, y1 = extent
    bins = [np.linspace(y0, y1, shape[0] + 1), np.linspace(x0, x1, shape[1] + 1)]

    def density(xy: NDArray[np.floating]) -> NDArray[np.float64]:
        counts = np.histogram2d(xy[:, 1], xy[:, 0], bins=bins)[0]
        smooth = gaussian_filter(counts, sigma, mode="constant")
        return np.asarray(smooth / max(float(smooth.sum()), 1e-12), dtype=np.float64)

    return density(current) - density(reference)
