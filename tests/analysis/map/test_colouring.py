"""The map's colourings, without a window, on the sample project."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.map.colouring import colour_columns, map_colouring
from analysis.palette import GREY
from analysis.view_frame import load_view_frame
from storage.project import Project
from storage.versions import resolve_version


def test_colourings_of_the_sample(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        frame = load_view_frame(project, resolve_version(project))
    assert list(colour_columns(frame)) == ["label", "predicted", "correct", "cluster", "cluster_sphere"]
    label = map_colouring(frame, "label")
    assert len(label.legend) == 77 and sum(e.count for e in label.legend) == 3080
    first = label.legend[0].value
    hidden = map_colouring(frame, "label", hidden=[first])
    rows = (frame.rows["label"] == first).to_numpy()
    assert (hidden.colours[rows] == np.array(GREY, np.uint8)).all()
    assert (hidden.colours[~rows] == label.colours[~rows]).all()
    clusters = map_colouring(frame, "cluster")
    assert {c.name for c in frame.clusters} <= {e.name for e in clusters.legend}
    tag = map_colouring(frame, "tag:label_issue")
    assert tag.emphasis.sum() == frame.tag_mask("label_issue").sum() > 0
    plain = map_colouring(frame, "nothing")
    assert plain.values is None and not plain.legend and len(np.unique(plain.colours, axis=0)) == 1
