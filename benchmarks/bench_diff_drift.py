"""Diff of two 1M-row versions (10 columns, 1% of rows changed) and a drift report on 1M rows × 10
columns, each against a peer on the same data in the same run: datacompy (``PolarsCompare`` and its
report) for the diff, Evidently's data-drift preset for drift.

The peers live in their own virtual environment (``benchmarks/.peers``, made on first use): Evidently
pins an older polars and brings a telemetry package, neither of which belongs in Strata's environment.
Both sides start from the same Parquet files already in memory; Strata's diff is ``diff_frames``, its
drift ``drift_report``. Each side reports its fastest of five runs (two for drift), so neither pays
for first-call warm-up.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from common import best, print_table

HERE = Path(__file__).parent
PEERS = HERE / ".peers"
N = 1_000_000
PEER_SCRIPT = r"""
import json, os, sys
os.environ["EVIDENTLY_DISABLE_TELEMETRY"] = "1"
sys.path.insert(0, sys.argv[4])
from common import best
import polars as pl
a, b, drifted = (pl.read_parquet(p) for p in sys.argv[1:4])
import datacompy
from evidently import Report
from evidently.presets import DataDriftPreset
diff_s = best(lambda: datacompy.PolarsCompare(a, b, join_columns="id").report(), 5)
ref, cur = a.drop("id").to_pandas(), drifted.drop("id").to_pandas()
drift_s = best(lambda: Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref), 2)
versions = {"datacompy": datacompy.__version__, "evidently": __import__("evidently").__version__}
print(json.dumps({"diff": diff_s, "drift": drift_s, "versions": versions}))
"""


def make_data(folder: Path) -> tuple[Path, Path, Path]:
    """Version A; B with 1% of rows changed; a drifted copy (a numeric shifted, a category shuffled)."""
    import polars as pl

    rng = np.random.default_rng(0)
    columns: dict[str, Any] = {"id": np.arange(N)}
    for i in range(5):
        columns[f"num_{i}"] = rng.normal(size=N)
    for i, levels in enumerate((5, 10, 20, 30, 50)):
        columns[f"cat_{i}"] = rng.integers(0, levels, N).astype(str)
    a = pl.DataFrame(columns)
    changed = rng.choice(N, N // 100, replace=False)
    shifted = a["num_0"].to_numpy().copy()
    shifted[changed] += 1.0
    b = a.with_columns(num_0=pl.Series(shifted))
    drifted = a.with_columns(num_1=pl.col("num_1") + 0.3, cat_0=pl.col("cat_0").shuffle(seed=1))
    paths = folder / "a.parquet", folder / "b.parquet", folder / "drifted.parquet"
    for frame, path in zip((a, b, drifted), paths, strict=True):
        frame.write_parquet(path)
    return paths


def ensure_peers() -> Path:
    python = PEERS / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "evidently", "datacompy", "pyarrow"], check=True
        )
    return python


def strata(paths: tuple[Path, Path, Path]) -> dict[str, float]:
    import polars as pl

    from analysis.drift.columns import drift_report
    from analysis.versions.diff import diff_frames

    a, b, drifted = (pl.read_parquet(p) for p in paths)
    system = [
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_row_id"),
        pl.col("id").cast(pl.String).alias("_row_key"),
    ]
    a, b = a.with_columns(system), b.with_columns(system)
    types = {
        c: ("Float64" if c.startswith("num") else "String")
        for c in a.columns
        if not c.startswith("_") and c != "id"
    }
    shuffled = b.sample(fraction=1.0, shuffle=True, seed=2)
    for other in (b, shuffled):
        diff, _ = diff_frames(a, other, types, types, None, None)
        assert diff.changed == N // 100 and diff.added == diff.removed == 0, diff.changed
    return {
        "diff": best(lambda: diff_frames(a, b, types, types, None, None), 5),
        "diff_shuffled": best(lambda: diff_frames(a, shuffled, types, types, None, None), 5),
        "drift": best(lambda: drift_report(a, drifted, list(types)), 2),
    }


def main() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_data(Path(tmp))
        ours = strata(paths)
        peer_python = ensure_peers()
        out = subprocess.run(
            [str(peer_python), "-c", PEER_SCRIPT, *map(str, paths), str(HERE)],
            check=True,
            capture_output=True,
            text=True,
        )
        peers = json.loads(out.stdout.strip().splitlines()[-1])
    rows = [
        {
            "what": "diff, 1M rows × 10 columns",
            "rows": N,
            "Strata s": ours["diff"],
            "peer": f"datacompy {peers['versions']['datacompy']} PolarsCompare + report",
            "peer s": peers["diff"],
            "ratio": ours["diff"] / peers["diff"],
        },
        {
            "what": "diff, rows of B in another order",
            "rows": N,
            "Strata s": ours["diff_shuffled"],
            "peer": f"datacompy {peers['versions']['datacompy']} PolarsCompare + report",
            "peer s": peers["diff"],
            "ratio": ours["diff_shuffled"] / peers["diff"],
        },
        {
            "what": "drift, 1M rows × 10 columns",
            "rows": N,
            "Strata s": ours["drift"],
            "peer": f"Evidently {peers['versions']['evidently']} DataDriftPreset",
            "peer s": peers["drift"],
            "ratio": ours["drift"] / peers["drift"],
        },
    ]
    return print_table(
        "Diff and drift against peers (same data, same run)",
        rows,
        ["what", "rows", "Strata s", "peer", "peer s", "ratio"],
    )


if __name__ == "__main__":
    main()
