"""Run every benchmark and write their tables into benchmarks/README.md (between the markers)."""

from __future__ import annotations

import os
import platform
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import bench_active  # noqa: E402
import bench_diff_drift  # noqa: E402
import bench_embed  # noqa: E402
import bench_generative  # noqa: E402
import bench_gui  # noqa: E402
import bench_import  # noqa: E402
import bench_label_noise  # noqa: E402
import bench_map  # noqa: E402
import bench_ray  # noqa: E402
import bench_redraw  # noqa: E402
import bench_scale  # noqa: E402
import bench_slices  # noqa: E402
import bench_tag  # noqa: E402
import bench_window_1m  # noqa: E402

START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def main() -> None:
    tables = [
        bench_import.main(),
        bench_embed.main(),
        bench_map.main(),
        bench_scale.main(million=True),
        bench_redraw.main(),
        bench_label_noise.main(),
        bench_active.main(),
        bench_tag.main(),
        bench_slices.main(),
        bench_diff_drift.main(),
        bench_generative.main(),
        bench_ray.main(),
        bench_gui.main(),
        bench_window_1m.main(),
    ]
    header = (
        f"Measured {date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.\n\n"
    )
    readme = HERE / "README.md"
    text = readme.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    readme.write_text(before + START + "\n" + header + "\n".join(tables) + END + after)


if __name__ == "__main__":
    main()
