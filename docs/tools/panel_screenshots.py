"""Screenshots of each panel for docs/images: the sample project at a window size, one dock
raised at a time and grabbed (offscreen, no dialogs).

Usage (from the repository root, QT_QPA_PLATFORM=offscreen)::

    python docs/tools/panel_screenshots.py 1920x1200 docs/images
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from insitu_tem.gui.app import (
    application,
    build_window,
    make_settings,
    refuse_dialogs,
    wait_until_idle,
)
from insitu_tem.gui.asker import HeadlessAsker
from insitu_tem.gui.errors import StderrReporter

PANELS = {"movie": "movie_panel", "hrtem": "fft_panel", "nbd": "nbd_panel", "eels": "eels_panel"}
"""Dock role → file stem (the size is appended)."""


def shoot(size: tuple[int, int], folder: Path) -> list[Path]:
    """Grab every dock of :data:`PANELS` with the sample project open; return the files."""
    app = application()
    refuse_dialogs()
    window = build_window(make_settings(), StderrReporter(), HeadlessAsker(), size=size)
    window.show()
    window.open_sample_project()
    if not wait_until_idle(app, window):
        raise SystemExit("panel_screenshots: the sample project did not finish loading")
    written = []
    for role, stem in PANELS.items():
        dock = window.docks[role]
        dock.raise_()
        for _ in range(5):
            QApplication.processEvents()
        path = folder / f"{stem}_{size[0]}x{size[1]}.png"
        dock.grab().save(str(path))
        written.append(path)
    window.close()
    return written


if __name__ == "__main__":
    width, height = (int(v) for v in sys.argv[1].split("x"))
    for written in shoot((width, height), Path(sys.argv[2])):
        print(written)
