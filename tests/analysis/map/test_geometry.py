"""Lasso containment and density rasters against brute force."""

from __future__ import annotations

import numpy as np

from analysis.map.geometry import density_rgba, points_in_polygon
from analysis.selection import SelectionModel


def brute_force_inside(point: np.ndarray, polygon: np.ndarray) -> bool:
    inside = False
    for i in range(len(polygon)):
        (ax, ay), (bx, by) = polygon[i], polygon[(i + 1) % len(polygon)]
        if (ay > point[1]) != (by > point[1]) and point[0] < ax + (point[1] - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


def test_points_in_concave_polygon_match_brute_force() -> None:
    rng = np.random.default_rng(1)
    points = rng.uniform(-1, 1, size=(3000, 2))
    star = np.array(
        [
            [np.cos(a) * r, np.sin(a) * r]
            for a, r in zip(np.linspace(0, 2 * np.pi, 14, endpoint=False), [0.9, 0.3] * 7, strict=True)
        ]
    )
    fast = points_in_polygon(points, star)
    slow = np.array([brute_force_inside(p, star) for p in points])
    assert np.array_equal(fast, slow)
    assert 0.05 < fast.mean() < 0.5
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]])
    assert points_in_polygon(np.array([[0.5, 0.5], [1.5, 0.5]]), square).tolist() == [True, False]
    assert not points_in_polygon(points, square[:2]).any()  # fewer than 3 vertices select nothing


def test_density_counts_every_point_once() -> None:
    coords = np.array([[0.1, 0.1], [0.1, 0.1], [0.9, 0.9]])
    colours = np.array([[255, 0, 0, 255], [0, 0, 255, 255], [0, 255, 0, 255]], dtype=np.uint8)
    image = density_rgba(coords, colours, (0, 0, 1, 1), (2, 2))
    assert image.shape == (2, 2, 4)
    assert image[0, 0, :3].tolist() == [127, 0, 127]  # mean colour of the two points
    assert image[1, 1, :3].tolist() == [0, 255, 0]
    assert image[0, 1, 3] == 0 and image[0, 0, 3] == 255 and 0 < image[1, 1, 3] < 255


def test_selection_model_notifies_with_source() -> None:
    selection = SelectionModel()
    seen: list[tuple[list[int], object]] = []
    unsubscribe = selection.subscribe(lambda ids, source: seen.append((ids.tolist(), source)))
    selection.set([5, 3, 3], source="map")
    selection.clear(source="table")
    unsubscribe()
    selection.set([1])
    assert seen == [([3, 5], "map"), ([], "table")]
