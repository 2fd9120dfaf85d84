"""Palette codes of a colouring, and the column-by-column extents, against plain numpy."""

from __future__ import annotations

import numpy as np

from analysis.map.geometry import colour_codes, density_rgba, padded_extent, robust_extent


def test_codes_rebuild_every_colour_even_one_the_sample_misses() -> None:
    rng = np.random.default_rng(3)
    palette = rng.integers(0, 256, size=(40, 4), dtype=np.uint8)
    which = rng.integers(0, 39, size=300_000)
    which[123_457] = 39  # one row of a colour the strided sample does not see
    colours = palette[which]
    found, codes = colour_codes(colours)
    assert np.array_equal(found[codes], colours)
    expected = np.unique(colours.view(np.uint32).ravel())
    assert np.array_equal(found.view(np.uint32).ravel(), expected)
    assert codes.dtype == np.int64 and codes.shape == (300_000,)
    empty, none = colour_codes(np.zeros((0, 4), np.uint8))
    assert empty.shape == (0, 4) and none.size == 0


def test_extents_match_numpy_along_the_axis() -> None:
    rng = np.random.default_rng(4)
    points = rng.normal(size=(50_000, 2)).astype(np.float32) * [3.0, 0.5]
    x0, y0, x1, y1 = padded_extent(points)
    low, high = points.min(axis=0), points.max(axis=0)
    pad = 1e-3 * max(high - low)
    assert np.allclose([x0, y0, x1, y1], [*(low - pad), *(high + pad)])
    (a, b), (c, d) = robust_extent(points)
    assert np.allclose(
        [a, b, c, d], [*np.percentile(points, 0.5, axis=0), *np.percentile(points, 99.5, axis=0)]
    )


def test_density_of_points_partly_outside_the_extent_counts_the_inside_ones() -> None:
    coords = np.array([[0.25, 0.25], [0.25, 0.25], [5.0, 5.0]])
    colours = np.array([[200, 0, 0, 255], [0, 0, 200, 255], [0, 200, 0, 255]], dtype=np.uint8)
    image = density_rgba(coords, colours, (0.0, 0.0, 1.0, 1.0), (2, 2))
    assert image[0, 0, :3].tolist() == [100, 0, 100] and image[0, 0, 3] == 255
    assert (image[1:, :, 3] == 0).all() and image[0, 1, 3] == 0
