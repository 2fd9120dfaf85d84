"""``strata demo``: import the bundled sample, run the pipeline, then show it or write its outputs."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from resources import SAMPLE_DATA, SAMPLE_OUTPUTS

EXAMPLE_SLICES = {
    "card intents": "label LIKE 'card%'",
    "unsure model": "confidence < 0.5",
    "near-duplicates": "tag_near_duplicate",
    "long questions": "length(text) > 80",
}


def has_display() -> bool:
    """Whether a window can be shown here (a display server, or a platform without one)."""
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def build_sample_project(out_dir: Path, progress: object = None) -> tuple[Path, dict[str, object]]:
    """Create ``out_dir/sample.strata`` from the bundled sample and run the whole pipeline on it.

    Returns
    -------
    path : pathlib.Path
        The project file (made anew each time).
    timings : dict
        Seconds per step (import and each stage).
    """
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.pipeline.runner import run_pipeline
    from storage.project import Project

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "sample.strata"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    timings: dict[str, object] = {}
    with Project.create(path) as project:
        start = time.perf_counter()
        roles = RoleMapping(id="id", text="text", label="label", pred="predicted", proba_prefix="prob_")
        result = import_dataset(
            project, SAMPLE_DATA, roles, name="banking77-test", outputs_path=SAMPLE_OUTPUTS
        )
        timings["import"] = round(time.perf_counter() - start, 3)
        for report in run_pipeline(project, result.version_id, progress=progress):  # type: ignore[arg-type]
            timings[report.stage] = round(report.seconds, 3)
        from analysis.slices.filters import save_slice, version_table

        table = version_table(project, result.version_id)
        for name, where in EXAMPLE_SLICES.items():
            save_slice(project, name, {"where": where}, table)
    return path, timings


def review_sample(path: Path, accept: int = 20, progress: object = None) -> int:
    """A review pass on the sample: accept the suggested labels of the ``accept`` strongest label
    issues, save them as the next version and run the pipeline on it (its map is version 1's: same
    texts). Returns the new version's id."""
    from analysis.pipeline.runner import run_pipeline
    from analysis.versions.review import ACCEPT, ReviewQueue
    from storage.project import Project

    with Project.open(path) as project:
        queue = ReviewQueue.for_tag(project, 1)
        for _ in range(min(accept, len(queue.items))):
            queue.decide(ACCEPT)
        version = queue.save(note=f"demo: suggested labels of the {accept} strongest label issues accepted")
        run_pipeline(project, version, progress=progress)  # type: ignore[arg-type]
    return version


def run_demo(headless: bool, out_dir: Path) -> int:
    """Run the demo; without a display it runs headless and says where its outputs are."""
    from app.console import ConsoleProgress

    if not headless and not has_display():
        print("No display found: running the headless demo instead.")
        headless = True
    with ConsoleProgress() as progress:
        path, timings = build_sample_project(out_dir, progress)
        review_sample(path, progress=progress)
    if not headless:
        from app.gui import run_gui

        print(f"Opening {path}")
        return run_gui(path)
    from analysis.errors.report import error_report
    from analysis.summary import project_summary
    from app.screenshots import save_screenshots
    from storage.project import Project

    with Project.open(path) as project:
        summary = project_summary(project)
        errors = error_report(project, summary["datasets"][0]["version_id"], top=5)  # type: ignore[index]
    dataset = summary["datasets"][0]  # type: ignore[index]
    shots = save_screenshots(path, out_dir)
    report = {
        "project": str(path),
        "rows": dataset["rows"],
        "accuracy": dataset["runs"][0]["accuracy"],
        "clusters": dataset["clusters"],
        "noise_rows": dataset["noise_rows"],
        "top_error_clusters": dataset["top_error_clusters"],
        "error_modes": errors["modes"],
        "error_clusters": errors["error_clusters"],
        "top_label_issues": errors["label_issues"],
        "stage_seconds": timings,
        "screenshots": [str(p) for p in shots],
    }
    (out_dir / "summary.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: report[k] for k in ("rows", "accuracy", "clusters", "stage_seconds")}, indent=2))
    print(f"Wrote {out_dir / 'summary.json'} and {len(shots)} screenshots in {out_dir}/")
    return 0
