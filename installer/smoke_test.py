"""Smoke test of the built application (``make installer`` runs it after the build).

1. ``dist/strata/strata demo --headless`` on the bundled sample, offline (in a network namespace with
   no interface when ``unshare`` may make one; the environment says offline either way), in a clean
   home and cache: the summary is written with the sample's figures and the window's screenshots are
   real pictures.
2. ``dist/strata/strata gui PROJECT`` on the project the demo made, offscreen: the window opens and is
   still up after 20 s, with no traceback; then it is closed.
Exit 0 when both pass; prints what failed otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "dist" / "strata" / "strata"


def _offline_prefix() -> list[str]:
    """``unshare -rn`` (a private network namespace: no route anywhere) when it works here."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


def _env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
    }


def check_demo(home: Path, prefix: list[str]) -> Path:
    out = home / "demo-out"
    started = time.perf_counter()
    done = subprocess.run(
        [*prefix, str(APP), "demo", "--headless", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
        env=_env(home),
        cwd=home,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or "Traceback" in done.stderr:
        sys.exit(f"demo failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    summary = json.loads((out / "summary.json").read_text())
    if summary["rows"] != 3080 or not summary["clusters"] or not 0.5 < summary["accuracy"] < 1:
        sys.exit(f"the demo's summary is wrong: {summary}")
    from PIL import Image

    shots = sorted(out.glob("*.png"))
    if not shots:
        sys.exit("the demo wrote no screenshot")
    widths = []
    for shot in shots:
        image = Image.open(shot).convert("L")
        lo, hi = image.getextrema()
        if hi - lo < 100:
            sys.exit(f"{shot.name} is blank ({image.size}, grey levels {lo}-{hi})")
        widths.append(image.width)
    if max(widths) < 1000:
        sys.exit(f"no screenshot of the whole window among {[s.name for s in shots]}")
    print(
        f"demo --headless: {seconds:.0f} s, {summary['rows']} rows, {summary['clusters']} clusters, "
        f"accuracy {summary['accuracy']:.3f}, {len(shots)} screenshots"
    )
    return Path(summary["project"])


def check_gui(home: Path, project: Path, prefix: list[str]) -> None:
    process = subprocess.Popen(
        [*prefix, str(APP), "gui", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(home),
        cwd=home,
    )
    time.sleep(20)
    alive = process.poll() is None
    process.terminate()
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    if not alive or "Traceback" in err:
        sys.exit(f"gui did not stay up (exit {process.returncode}):\n{err[-3000:]}")
    print("gui: window up for 20 s offscreen, no traceback")


def main() -> int:
    if not APP.exists():
        sys.exit(f"{APP} is not built: run `make installer`.")
    prefix = _offline_prefix()
    print("network: " + ("none (private network namespace)" if prefix else "not isolated (no unshare)"))
    with tempfile.TemporaryDirectory(prefix="strata-smoke-") as tmp:
        home = Path(tmp)
        project = check_demo(home, prefix)
        check_gui(home, project, prefix)
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
