"""The window under load: cold start to a drawn map, and the longest event-loop stall while each
action runs with its jobs on worker threads (the heartbeat of ``app/heartbeat.py``).

Cold start runs ``strata gui``'s code path in a fresh interpreter (offscreen) and times from the
process start to the first paint of the map with every point drawn. Responsiveness opens a project,
then times each action until its result is shown: showing a version, a version diff, a drift report,
SliceLine, the metrics of every saved slice, an export and saving review corrections. On the sample
(3,080 rows, real pipeline) and on 100k rows (the 100k emoji tweets, with a synthetic map and clusters,
since UMAP on 100k rows takes minutes on 2 cores; see ``bench_map.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import DATA, ROOT, print_table, run_case

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

COLD = """
import time, sys
start = float(sys.argv[1])
from pathlib import Path
from PySide6.QtCore import QSettings
from app.gui import ensure_app
from app.main_window import MainWindow
app = ensure_app()
imported = time.time() - start
window = MainWindow(settings=QSettings(sys.argv[3], QSettings.Format.IniFormat))
window.resize(1366, 768)
window.show()
window.open_project(Path(sys.argv[2]))
while window.frame is None or window.map_view.visible_count == 0 or window.jobs.busy:
    app.processEvents()
window.map_view.plot.repaint()
app.processEvents()
print(imported, time.time() - start)
"""


def cold_start(project: Path) -> dict[str, Any]:
    """Seconds from interpreter start to imports done and to the map drawn (median of 3)."""
    runs = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.time()
            out = subprocess.run(
                [sys.executable, "-c", COLD, str(start), str(project), str(Path(tmp) / "s.ini")],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            ).stdout.split()
            runs.append((float(out[-2]), float(out[-1])))
    runs.sort(key=lambda r: r[1])
    imported, drawn = runs[1]
    return {"what": "cold start to a drawn map (sample)", "imports s": imported, "seconds": drawn}


def sample_project(folder: Path) -> Path:
    from app.demo import build_sample_project

    path, _ = build_sample_project(folder)
    return path


def big_project(folder: Path) -> Path:
    """100k emoji tweets with predictions, a second version with 1% of labels changed, and a
    synthetic map (60 Gaussian blobs) and clustering written as pipeline stages."""
    import numpy as np
    import polars as pl

    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from storage.project import Project
    from storage.stage_outputs import NewCluster, StageRecord, write_clustering, write_projection

    def lines(name: str) -> list[str]:
        return (DATA / "tweeteval" / "emoji" / name).read_text(encoding="utf-8").splitlines()

    source = pl.concat(
        [
            pl.DataFrame({"text": lines(f"{s}_text.txt"), "label": lines(f"{s}_labels.txt")})
            for s in ("train", "val", "test")
        ]
    ).head(100_000)
    rng = np.random.default_rng(0)
    labels = source["label"].cast(pl.String)
    classes = sorted(labels.unique().to_list())
    predicted = [lab if rng.random() < 0.7 else classes[rng.integers(len(classes))] for lab in labels]
    frame = source.with_columns(
        label=labels, id=pl.int_range(pl.len()).cast(pl.String), predicted=pl.Series(predicted)
    )
    csv = folder / "emoji.csv"
    frame.write_csv(csv)
    changed = frame.with_columns(
        label=pl.when(pl.int_range(pl.len()) % 100 == 0).then(pl.lit(classes[0])).otherwise("label")
    )
    csv2 = folder / "emoji_v2.csv"
    changed.write_csv(csv2)
    path = folder / "big.strata"
    roles = RoleMapping(id="id", text="text", label="label", pred="predicted")
    with Project.create(path) as project:
        version = import_dataset(project, csv, roles, name="emoji").version_id
        import_dataset(project, csv2, roles, version_of="emoji")
        which = rng.integers(0, 60, len(frame))
        centres = rng.uniform(-20, 20, size=(60, 2))
        coords = (centres[which] + rng.normal(scale=1.0, size=(len(frame), 2))).astype(np.float32)
        record = StageRecord("bench-project", "project", version, {}, "bench", 0.0)
        write_projection(project, record, coords, "synthetic")
        clusters = [
            NewCluster(int(c), f"blob {c}", [], np.flatnonzero(which == c).astype(np.int64), None)
            for c in range(60)
        ]
        record = StageRecord("bench-cluster", "cluster", version, {}, "bench-project", 0.0)
        write_clustering(project, record, "synthetic", None, 0, clusters)
    return path


def responsiveness(project: str, name: str) -> dict[str, Any] | list[dict[str, Any]]:
    """Longest stall (wall and GUI-thread CPU) and seconds for each action on ``project``."""
    from PySide6.QtCore import QSettings

    from app.gui import ensure_app
    from app.heartbeat import Heartbeat
    from app.main_window import MainWindow
    from storage.versions import list_versions
    from widgets.export_dialog import ExportDialog

    app = ensure_app()
    tmp = Path(tempfile.mkdtemp())
    window = MainWindow(settings=QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1366, 768)
    window.show()
    rows: list[dict[str, Any]] = []

    def measure(what: str, action: Any, done: Any) -> None:
        start = time.perf_counter()
        with Heartbeat() as heart:
            action()
            while not done():
                app.processEvents()
                time.sleep(0.001)
                if time.perf_counter() - start > 900:
                    raise TimeoutError(what)
        rows.append(
            {
                "data": name,
                "action": what,
                "seconds": time.perf_counter() - start,
                "stall ms": heart.longest_ms,
                "GUI-thread ms": heart.longest_cpu_ms,
            }
        )

    def idle() -> bool:
        return not window.jobs.busy

    measure("open project", lambda: window.open_project(project), lambda: window.frame is not None and idle())
    versions = [v.version_id for v in list_versions(window.project)]
    first, last = versions[0], versions[-1]
    measure(
        "show a version", lambda: window.show_version(first), lambda: window.version_id == first and idle()
    )
    diff = window.versions.diff_view
    measure(
        "version diff", lambda: window.versions.compare(first, last), lambda: diff.diff is not None and idle()
    )
    drift = window.versions.drift_view
    measure(
        "drift report",
        lambda: window.versions.drift(first, "", last, "", False, ""),
        lambda: drift.result is not None and idle(),
    )
    panel = window.slicing.panel
    panel.alpha.setValue(0.99)
    measure("SliceLine", window.slicing.discover, lambda: panel.discover.isEnabled() and idle())
    measure("metrics of all slices", window.slicing.refresh, idle)
    dialog = ExportDialog(["text", "label"], 0, "all rows", window)
    dialog.out.setText(str(tmp / "all.parquet"))
    measure(
        "export all rows",
        lambda: window.slicing.export_with(dialog, ""),
        lambda: (tmp / "all.parquet.manifest.json").exists() and idle(),
    )
    window.jobs.cancel()
    window.jobs.wait(60_000)
    window.close()
    return rows


def main() -> str:
    work = Path(tempfile.mkdtemp(prefix="strata-bench-gui-"))
    sample = sample_project(work / "sample")
    big = big_project(work)
    text = print_table(
        "Cold start (offscreen, 1366×768; median of 3)",
        [run_case(cold_start, project=sample)],
        ["what", "imports s", "seconds", "peak_mib"],
    )
    rows = run_case(lambda_rows, project=str(sample), name="sample (3,080)")["rows"]
    rows += run_case(lambda_rows, project=str(big), name="emoji (100,000)")["rows"]
    columns = ["data", "action", "seconds", "stall ms", "GUI-thread ms"]
    text += print_table("Event-loop stalls while each action runs (200 ms target)", rows, columns)
    print(json.dumps({"work": str(work)}))
    return text


def lambda_rows(project: str, name: str) -> dict[str, Any]:
    """:func:`responsiveness` wrapped for :func:`common.run_case` (which adds the peak memory)."""
    return {"rows": responsiveness(project, name)}


if __name__ == "__main__":
    main()
