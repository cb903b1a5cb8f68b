"""Check, without starting Qt, that Qt's X11 (xcb) platform plugin can load on this desktop.

Qt's xcb plugin links to system libraries that a plain Debian/Ubuntu install may lack; Qt then
aborts with "Could not load the Qt platform plugin 'xcb'". This check lists the missing shared
libraries (``ldd`` on the plugin, plus ``libxcb-cursor``, which Qt ≥ 6.5 opens at run time) and
prints the one ``apt-get install`` line that fixes it. ``python -m insitu_tem.gui.platform_check``
exits 1 when something is missing, 0 otherwise (and when the platform is not xcb).
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
}
RUNTIME_LOADED = ("xcb-cursor",)


def debian_package(soname: str) -> str:
    """Debian package that ships a shared library, e.g. ``libxcb-icccm.so.4`` →
    ``libxcb-icccm4``."""
    if soname in DEBIAN_PACKAGES:
        return DEBIAN_PACKAGES[soname]
    match = re.fullmatch(r"(lib[\w.+-]*?)\.so\.(\d+)", soname)
    if match is None:
        return soname
    stem, version = match.group(1).lower(), match.group(2)
    return f"{stem}-{version}" if stem[-1].isdigit() else f"{stem}{version}"


def xcb_plugin() -> Path | None:
    """Path of PySide6's ``libqxcb.so``, or None when PySide6 ships none (e.g. not Linux)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def missing_libraries(ldd_output: str, *, find_library=ctypes.util.find_library) -> list[str]:
    """Shared libraries that ``ldd`` reports as ``not found``, plus run-time loaded ones absent."""
    missing = re.findall(r"^\s*(\S+)\s*=>\s*not found", ldd_output, flags=re.MULTILINE)
    missing += [f"lib{name}.so.0" for name in RUNTIME_LOADED if find_library(name) is None]
    return sorted(set(missing))


def install_line(missing: list[str]) -> str:
    """The one ``apt-get install`` line that provides ``missing`` libraries."""
    packages = sorted({debian_package(name) for name in missing})
    return "sudo apt-get install " + " ".join(packages)


def check() -> str | None:
    """None when the xcb plugin can load (or xcb is not the platform), else the message to print."""
    platform = os.environ.get("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "")
    plugin = xcb_plugin()
    if not platform.startswith("xcb") or plugin is None:
        return None
    try:
        ldd = subprocess.run(
            ["ldd", str(plugin)], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    missing = missing_libraries(ldd)
    if not missing:
        return None
    return (
        "insitu-tem: error: Qt's X11 platform plugin needs system libraries that are missing "
        f"({', '.join(missing)}); install them with: {install_line(missing)}"
    )


def main() -> int:
    message = check()
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
