"""The map preview of a version (drawn before its whole frame) on the sample project, and the frame
built from it: the same frame as one read from scratch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.frame_preview import PREVIEW_ROWS, load_map_preview, preview_colour_mode
from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.map.colouring import map_colouring
from analysis.map_paint import paint_map
from analysis.view_frame import load_view_frame
from storage.project import Project
from storage.stage_outputs import StageRecord, write_projection


def test_the_preview_holds_the_map_and_the_frame_reuses_it(sample_project_master: Path) -> None:
    with Project.open(sample_project_master) as project:
        preview = load_map_preview(project, 1)
        full = load_view_frame(project, 1, preview=preview)
        fresh = load_view_frame(project, 1)
        # 3,080 rows load whole in a blink: the window asks for no preview of them
        assert load_map_preview(project, 1, min_rows=PREVIEW_ROWS) is None
    assert preview is not None and preview.coords is not None
    assert preview.rows.columns == ["_row_id", "cluster"] and preview.roles == {}
    assert preview_colour_mode(preview) == "cluster" == preview_colour_mode(full)
    assert full.coords is preview.coords  # lent, not read again
    assert np.array_equal(fresh.coords, full.coords)
    assert full.rows.equals(fresh.rows)
    assert [c.label for c in full.clusters] == [c.label for c in fresh.clusters]
    assert preview.class_order == fresh.class_order
    # the preview paints the map as the whole frame would
    paint = paint_map(preview, "cluster")
    assert np.array_equal(paint.colours, map_colouring(fresh, "cluster").colours)
    assert np.array_equal(paint.palette[paint.codes], paint.colours)
    assert paint.density is None  # 3,080 points are drawn as points
    assert preview.describe_row(0).startswith("cluster: ")  # hover text during the preview


def test_an_unclustered_map_is_previewed_by_label(sample_project: Path, banking_small: Path) -> None:
    with Project.open(sample_project) as project:
        roles = RoleMapping(id="id", text="text", label="category")
        version = import_dataset(project, banking_small, roles, name="small").version_id
        assert load_map_preview(project, version) is None  # no map yet: nothing to preview
        coords = np.random.default_rng(0).normal(size=(600, 2)).astype(np.float32)
        write_projection(project, StageRecord("k-map", "project", version, {}, "k", 0.0), coords, "test")
        preview = load_map_preview(project, version)
        full = load_view_frame(project, version, preview=preview)
    assert preview is not None and np.array_equal(preview.coords, coords)
    assert preview.rows.columns == ["_row_id", "category"] and preview.roles == {"label": "category"}
    assert preview_colour_mode(preview) == "label" and not full.clusters and "cluster" not in full.rows
    assert np.array_equal(paint_map(preview, "label").colours, map_colouring(full, "label").colours)
