"""Plane geometry of the map: lasso containment, the point under the pointer and density rasters
(numpy and scipy, Qt-free)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def points_in_polygon(points: NDArray[np.floating], polygon: NDArray[np.floating]) -> NDArray[np.bool_]:
    """Return which points lie inside a closed polygon (even-odd rule, ray casting).

    Parameters
    ----------
    points : numpy.ndarray
        (n, 2) x, y coordinates.
    polygon : numpy.ndarray
        (m, 2) vertices in order; the last connects back to the first.

    Returns
    -------
    numpy.ndarray
        bool (n,).

    Notes
    -----
    Written here rather than taken from matplotlib (``Path.contains_points``) to avoid a plotting
    dependency for one vectorised loop over the m edges: O(n·m) work, about 10 ms for 1M points and a
    60-vertex lasso.
    """
    x = np.asarray(points[:, 0], dtype=np.float64)
    y = np.asarray(points[:, 1], dtype=np.float64)
    inside = np.zeros(x.shape[0], dtype=bool)
    poly = np.asarray(polygon, dtype=np.float64)
    if poly.shape[0] < 3:
        return inside
    x0, y0 = poly[:, 0], poly[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    lo_x, hi_x, lo_y, hi_y = poly[:, 0].min(), poly[:, 0].max(), poly[:, 1].min(), poly[:, 1].max()
    box = (x >= lo_x) & (x <= hi_x) & (y >= lo_y) & (y <= hi_y)
    xb, yb = x[box], y[box]
    hit = np.zeros(xb.shape[0], dtype=bool)
    for ax, ay, bx, by in zip(x0, y0, x1, y1, strict=True):
        crosses = (ay > yb) != (by > yb)
        if not crosses.any():
            continue
        x_cross = ax + (yb - ay) * (bx - ax) / (by - ay if by != ay else 1e-300)
        hit ^= crosses & (xb < x_cross)
    inside[box] = hit
    return inside


def padded_extent(points: NDArray[np.floating]) -> tuple[float, float, float, float]:
    """(x_min, y_min, x_max, y_max) of float (n, 2) ``points``, n ≥ 1, widened by 0.1 % of the larger
    side so the outermost points fall inside a raster of it."""
    # column by column: a reduction along axis 0 of an (n, 2) array strides and is ~50× slower
    x0, x1 = points[:, 0].min(), points[:, 0].max()
    y0, y1 = points[:, 1].min(), points[:, 1].max()
    pad = 1e-3 * max(x1 - x0, y1 - y0, 1e-6)
    return float(x0 - pad), float(y0 - pad), float(x1 + pad), float(y1 + pad)


def density_rgba(
    coords: NDArray[np.floating],
    colours: NDArray[np.uint8],
    extent: tuple[float, float, float, float],
    shape: tuple[int, int],
) -> NDArray[np.uint8]:
    """Rasterise coloured points into an RGBA image: mean colour per pixel, opacity by log count.

    Parameters
    ----------
    coords : numpy.ndarray
        (n, 2) float coordinates.
    colours : numpy.ndarray
        (n, 4) uint8 RGBA colour of each point.
    extent : tuple of float
        (x_min, y_min, x_max, y_max) covered by the image.
    shape : tuple of int
        (height, width) in pixels.

    Returns
    -------
    numpy.ndarray
        uint8 (height, width, 4), row 0 at ``y_min``.
    """
    h, w = shape
    x_min, y_min, x_max, y_max = extent
    col = ((coords[:, 0] - x_min) / max(x_max - x_min, 1e-12) * w).astype(np.int64)
    row = ((coords[:, 1] - y_min) / max(y_max - y_min, 1e-12) * h).astype(np.int64)
    keep = (col >= 0) & (col < w) & (row >= 0) & (row < h)
    whole = bool(keep.all())  # the usual case (the extent is the points' own): no copies
    flat = row * w + col if whole else row[keep] * w + col[keep]
    kept = colours if whole else colours[keep]
    count = np.bincount(flat, minlength=h * w).astype(np.float64)
    image = np.zeros((h * w, 4), dtype=np.uint8)
    filled = count > 0
    for channel in range(3):
        total = np.bincount(flat, weights=kept[:, channel], minlength=h * w)
        image[filled, channel] = (total[filled] / count[filled]).astype(np.uint8)
    alpha = np.log1p(count) / np.log1p(count.max() if count.max() > 0 else 1.0)
    image[:, 3] = (np.where(filled, 90 + 165 * alpha, 0)).astype(np.uint8)
    return image.reshape(h, w, 4)


def colour_codes(colours: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """The distinct colours of uint8 (n, 4) RGBA ``colours`` and each row's index among them.

    Returns
    -------
    palette : numpy.ndarray
        uint8 (k, 4), sorted by the colours' packed 32-bit value.
    codes : numpy.ndarray
        int64 (n,): ``palette[codes]`` equals ``colours``.
    """
    packed = np.ascontiguousarray(colours).view(np.uint32).ravel()
    # A colouring has a few dozen colours: find them on a sample, then place every row by binary
    # search (~10 ms at a million rows, against ~25 ms for np.unique's sort); rows of a colour the
    # sample missed fall back to the full np.unique.
    sample = np.unique(packed[:: max(1, packed.size // 50_000)])
    codes = np.searchsorted(sample, packed)
    found = sample[np.minimum(codes, sample.size - 1)] == packed if sample.size else packed[:0] == 0
    if not found.all():
        sample, codes = np.unique(packed, return_inverse=True)
    palette = np.ascontiguousarray(sample).view(np.uint8).reshape(-1, 4)
    return palette, codes.astype(np.int64, copy=False).ravel()


class PointIndex:
    """Nearest-point look-ups on the map's points (a k-d tree, ``scipy.spatial.cKDTree``), built on
    the first look-up and reused until the points change.

    Parameters
    ----------
    points : numpy.ndarray
        float (n, 2) map coordinates.
    """

    def __init__(self, points: NDArray[np.floating]) -> None:
        self.points = points
        self._tree: Any = None

    def nearest(self, x: float, y: float, radius: float) -> int | None:
        """The index of the point nearest (x, y) if it is within ``radius`` (data units), else None."""
        if len(self.points) == 0:
            return None
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(self.points)
        dist, index = self._tree.query([x, y], distance_upper_bound=radius)
        return int(index) if np.isfinite(dist) else None


def robust_extent(
    points: NDArray[np.floating], share: float = 0.99, at_most: int = 100_000
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The box holding the central ``share`` of the points on each axis.

    Parameters
    ----------
    points : numpy.ndarray
        float (n, 2) map coordinates, n ≥ 1.
    share : float
        Fraction of points kept per axis (0.99: from the 0.5th to the 99.5th percentile).
    at_most : int
        Percentiles of more points are taken on every k-th point (at most this many): the box frames
        the view, and 100,000 points place a percentile within a few thousandths of the spread, in a
        tenth of the time a million take on the GUI thread (~80 ms).

    Returns
    -------
    ((x0, y0), (x1, y1)) : the box's corners, in data units; never empty (a single point or a line
    gets a width of 1).
    """
    tail = (1.0 - share) / 2.0 * 100.0
    step = -(-len(points) // at_most) if len(points) > at_most else 1
    # one contiguous column at a time (the strided axis-0 percentile is several times slower)
    columns = (np.ascontiguousarray(points[::step, axis]) for axis in (0, 1))
    bounds = np.array([np.percentile(column, [tail, 100.0 - tail]) for column in columns])
    low, high = bounds[:, 0], bounds[:, 1]
    flat = high - low <= 0
    low, high = np.where(flat, low - 0.5, low), np.where(flat, high + 0.5, high)
    return (float(low[0]), float(low[1])), (float(high[0]), float(high[1]))
