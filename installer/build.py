"""Build the standalone Strata application with PyInstaller (``make installer``).

1. Export the bundled embedding model to int8 ONNX (the recipe of
   ``analysis.map.encoders.onnx_export``) into ``build/installer/onnx-cache``; this step uses the
   development environment's torch, the application does not.
2. Run ``installer/strata.spec``: one folder, ``dist/strata/``, started by ``dist/strata/strata``.
3. Report its unpacked size and what dominates it (``dist/strata-size.txt``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "installer"
DIST = ROOT / "dist"


def export_model() -> Path:
    """The int8 ONNX export of the bundled model, made once into the build folder."""
    cache = BUILD / "onnx-cache"
    os.environ["STRATA_CACHE_DIR"] = str(cache)
    from analysis.map.encoders.models import BUNDLED_MODEL, model_path, read_pipeline
    from analysis.map.encoders.onnx_export import prepare_model
    from analysis.progress import NullProgress

    folder = model_path(BUNDLED_MODEL)
    prepare_model(folder, read_pipeline(folder), NullProgress())
    return cache


def folder_size(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def size_report(app: Path, top: int = 15) -> str:
    """The application's size and its largest parts, as text."""
    internal = app / "_internal"
    parts = sorted(
        (
            (folder_size(p) if p.is_dir() else p.stat().st_size, p.name)
            for p in internal.iterdir()
            if not p.is_symlink()
        ),
        reverse=True,
    )
    total = folder_size(app)
    lines = [f"dist/strata: {total / 2**20:,.0f} MiB unpacked ({sum(1 for _ in app.rglob('*')):,} files)"]
    lines += [f"  {size / 2**20:8,.1f} MiB  {name}" for size, name in parts[:top]]
    return "\n".join(lines) + "\n"


def main() -> int:
    cache = export_model()
    env = {**os.environ, "STRATA_INSTALLER_ONNX": str(cache)}
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(ROOT / "installer" / "strata.spec"),
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(BUILD / "work"),
    ]
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    report = size_report(DIST / "strata")
    (DIST / "strata-size.txt").write_text(report)
    print(report, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
