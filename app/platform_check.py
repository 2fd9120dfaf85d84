"""Before the window opens on Linux: check that the system libraries Qt's X11 (xcb) platform plugin
needs are installed, and name the exact package to install when one is missing.

Qt itself only says "Could not load the Qt platform plugin xcb" and names a library that is not always
the missing one; ``ldd`` on the plugin and its xcb integration library lists exactly what is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

# soname → (Debian / Ubuntu package, Fedora package)
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}


def missing_from_ldd(output: str) -> list[str]:
    """The sonames ``ldd`` reports as ``not found``, in order, without repeats."""
    missing: list[str] = []
    for line in output.splitlines():
        if "=> not found" in line:
            name = line.split("=>")[0].strip()
            if name not in missing:
                missing.append(name)
    return missing


def xcb_libraries() -> list[Path]:
    """Qt's xcb platform plugin and its xcb integration library, as shipped with PySide6."""
    spec = find_spec("PySide6")
    if spec is None or spec.origin is None:
        return []
    qt = Path(spec.origin).parent / "Qt"
    return [
        p
        for p in (qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6")
        if p.is_file()
    ]


def missing_xcb_libraries() -> list[str]:
    """Sonames the xcb plugin needs that the system lacks (empty when all are there or ldd is absent)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    missing: list[str] = []
    for library in xcb_libraries():
        done = subprocess.run([ldd, str(library)], capture_output=True, text=True, check=False)
        missing += [m for m in missing_from_ldd(done.stdout) if m not in missing]
    return missing


def install_advice(missing: list[str]) -> str:
    """What to run to install ``missing`` on Debian / Ubuntu and on Fedora."""
    debian = sorted({PACKAGES.get(m, (m, m))[0] for m in missing})
    fedora = sorted({PACKAGES.get(m, (m, m))[1] for m in missing})
    return (
        f"The window needs system libraries that are missing: {', '.join(missing)}.\n"
        f"  Debian / Ubuntu:  sudo apt install {' '.join(debian)}\n"
        f"  Fedora:           sudo dnf install {' '.join(fedora)}\n"
        "Then run `strata gui` again. (The command line works without them.)"
    )


def uses_xcb() -> bool:
    """Whether Qt will pick its X11 platform plugin here (Linux, no other platform asked for)."""
    if not sys.platform.startswith("linux"):
        return False
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(os.environ.get("DISPLAY")) and not os.environ.get("WAYLAND_DISPLAY")


def check_platform() -> str | None:
    """The install advice when the window cannot start here, else None."""
    if not uses_xcb():
        return None
    missing = missing_xcb_libraries()
    return install_advice(missing) if missing else None
