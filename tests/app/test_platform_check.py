"""`strata gui` on a Linux desktop without Qt's xcb libraries says exactly what to install."""

from __future__ import annotations

import subprocess

import pytest

import app.platform_check as platform_check
from app.cli import main

LDD = """\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007fb5)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007fb5)
"""


def test_ldd_output_is_read() -> None:
    assert platform_check.missing_from_ldd(LDD) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert platform_check.missing_from_ldd("\tlibxcb.so.1 => /lib/libxcb.so.1 (0x1)\n") == []


def test_gui_names_the_packages_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(platform_check.sys, "platform", "linux")
    monkeypatch.setattr(platform_check.shutil, "which", lambda _name: "/usr/bin/ldd")

    def ldd(args: list[str], **_kw: object) -> subprocess.CompletedProcess[str]:
        assert args[0] == "/usr/bin/ldd" and args[1].endswith((".so", ".so.6"))
        return subprocess.CompletedProcess(args, 0, LDD, "")

    monkeypatch.setattr(platform_check.subprocess, "run", ldd)
    assert main(["gui"]) == 2
    err = capsys.readouterr().err
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in err
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in err
    assert "sudo dnf install xcb-util-keysyms xcb-util-wm" in err


def test_no_check_off_x11(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert platform_check.check_platform() is None
    monkeypatch.setattr(platform_check.sys, "platform", "darwin")
    monkeypatch.delenv("QT_QPA_PLATFORM")
    assert platform_check.check_platform() is None


def test_the_shipped_plugin_is_found_and_checked() -> None:
    libraries = platform_check.xcb_libraries()
    assert [p.name for p in libraries] == ["libqxcb.so", "libQt6XcbQpa.so.6"]
    # The libraries a plain desktop lacks are dependencies of what is checked (found or not).
    needed = subprocess.run(["ldd", str(libraries[1])], capture_output=True, text=True, check=True).stdout
    assert "libxcb-icccm.so.4" in needed and "libxcb-keysyms.so.1" in needed
