"""`make run` on a fresh desktop: missing xcb libraries are named with the apt-get line that
fixes them."""

import os
import shutil
import subprocess
import sys

import pytest

from insitu_tem.gui import platform_check

LDD_WITH_GAPS = """\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibQt6Gui.so.6 => /venv/PySide6/Qt/lib/libQt6Gui.so.6 (0x00007f)
"""


def test_missing_libraries_map_to_debian_packages():
    missing = platform_check.missing_libraries(LDD_WITH_GAPS, find_library=lambda name: None)
    assert missing == [
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libxkbcommon-x11.so.0",
    ]
    assert platform_check.install_line(missing) == (
        "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0"
    )


def test_nothing_missing_when_ldd_finds_everything():
    found = "\tlibQt6Gui.so.6 => /x/libQt6Gui.so.6 (0x1)\n"
    assert (
        platform_check.missing_libraries(found, find_library=lambda name: "/usr/lib/" + name) == []
    )


def test_offscreen_platform_is_not_checked(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert platform_check.check() is None


def test_command_prints_one_line_when_libraries_are_missing():
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", DISPLAY=":99")
    result = subprocess.run(
        [sys.executable, "-m", "insitu_tem.gui.platform_check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode == 0:
        assert result.stderr == ""
    else:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and "apt-get install" in lines[0]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb is not installed")
def test_real_xcb_window_starts_under_xvfb(tmp_path):
    if platform_check.check() is not None or platform_check.xcb_plugin() is None:
        pytest.skip("the xcb plugin's system libraries are missing here")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    out = tmp_path / "xcb.png"
    binary = os.path.join(os.path.dirname(sys.executable), "insitu-tem")
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", binary, "--screenshot", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.stat().st_size > 10_000
