"""Screenshots of each panel for docs/images: the sample project at a window size, one dock
raised at a time and grabbed as the user sees it (offscreen, no dialogs); at 1920×1200 also the
kymograph and the kinetics plot of the movie panel. Files at 1280×800 get a ``_1280x800`` suffix.

Usage (from the repository root, QT_QPA_PLATFORM=offscreen)::

    python docs/tools/panel_screenshots.py 1920x1200 docs/images
    python docs/tools/panel_screenshots.py 1280x800 docs/images
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

PANELS = {
    "movie": "movie_panel",
    "hrtem": "fft_panel_wo3",
    "nbd": "nbd_panel_strain",
    "eels": "eels_panel_w_o23",
    "across": "across_front_panel",
}
"""Dock role → file stem."""
DESKTOP = (1920, 1200)


def shoot(size: tuple[int, int], folder: Path) -> list[Path]:
    """Grab every dock of :data:`PANELS` with the sample project open; return the files."""
    app = application()
    refuse_dialogs()
    window = build_window(make_settings(), StderrReporter(), HeadlessAsker(), size=size)
    window.show()
    window.open_sample_project()
    if not wait_until_idle(app, window):
        raise SystemExit("panel_screenshots: the sample project did not finish loading")
    suffix = "" if size == DESKTOP else f"_{size[0]}x{size[1]}"
    written = []
    for role, stem in PANELS.items():
        dock = window.docks[role]
        dock.raise_()
        for _ in range(5):
            QApplication.processEvents()
        written.append(save(dock, folder / f"{stem}{suffix}.png"))
    if size == DESKTOP:
        front = window.panels["movie"].front
        written.append(save(front.kymograph_view, folder / "movie_kymograph.png"))
        written.append(save(front.kinetics, folder / "movie_kinetics.png"))
    window.close()
    return written


def save(widget, path: Path) -> Path:
    """Grab ``widget`` to ``path`` (PNG)."""
    if not widget.grab().save(str(path)):
        raise SystemExit(f"panel_screenshots: {path}: cannot write the PNG; check the folder")
    return path


if __name__ == "__main__":
    width, height = (int(v) for v in sys.argv[1].split("x"))
    for written in shoot((width, height), Path(sys.argv[2])):
        print(written)
