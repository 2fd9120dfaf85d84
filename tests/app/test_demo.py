"""``strata demo --headless``: summary.json and one screenshot per view, from a clean output folder."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtGui import QImage

from app.cli import main


def test_headless_demo_writes_summary_and_screenshots(tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "demo"
    assert main(["demo", "--headless", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows"] == 3080
    assert 0.85 < summary["accuracy"] < 0.95
    assert summary["clusters"] > 30
    assert set(summary["stage_seconds"]) == {
        "import",
        "embed",
        "tokens",
        "neighbours",
        "probe",
        "cluster_sphere",
        "project",
        "cluster",
        "tag",
    }
    assert summary["top_error_clusters"][0]["error_rate"] >= summary["top_error_clusters"][-1]["error_rate"]
    for name in ("window.png", "map.png", "table.png", "clusters.png", "window-selection.png"):
        image = QImage(str(out / name))
        assert not image.isNull() and image.width() >= 250 and image.height() >= 200, name
    assert {Path(p).name for p in summary["screenshots"]} >= {"window.png", "map.png", "table.png"}
