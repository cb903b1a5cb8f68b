"""Screenshots of the NBD panel's map of a 2-D scan for docs/images: the generated raster
(:mod:`insitu_tem.samples.nbd_raster`, 6 × 8 probes) opened in the main window at a window size,
the NBD dock raised, grabbed with the virtual ADF image (its detector rings on the pattern) and
with the strain map. Files at 1280×800 get a ``_1280x800`` suffix.

Usage (from the repository root, QT_QPA_PLATFORM=offscreen)::

    python docs/tools/nbd_map_screenshots.py 1920x1200 docs/images
    python docs/tools/nbd_map_screenshots.py 1280x800 docs/images
"""

from __future__ import annotations

import sys
import tempfile
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
from insitu_tem.samples.nbd_raster import write

DESKTOP = (1920, 1200)
VIEWS = {"Virtual annular dark field": "nbd_map_adf", "Lattice strain": "nbd_map_strain"}
"""What the map shows → file stem."""
PROBE = 11
"""The probe in view (row 1, column 3)."""


def shoot(size: tuple[int, int], folder: Path) -> list[Path]:
    """Grab the NBD dock with the raster open, once per map of :data:`VIEWS`."""
    app = application()
    refuse_dialogs()
    window = build_window(make_settings(), StderrReporter(), HeadlessAsker(), size=size)
    window.show()
    with tempfile.TemporaryDirectory() as scratch:
        window.open_paths([write(scratch)])
        if not wait_until_idle(app, window):
            raise SystemExit("nbd_map_screenshots: the raster was not analysed in time")
    suffix = "" if size == DESKTOP else f"_{size[0]}x{size[1]}"
    window.docks["nbd"].raise_()
    panel = window.panels["nbd"]
    panel.state.set_scan_index(PROBE)
    written = []
    for choice, stem in VIEWS.items():
        panel.map_tab.choice.setCurrentText(choice)
        for _ in range(5):
            QApplication.processEvents()
        path = folder / f"{stem}{suffix}.png"
        if not window.docks["nbd"].grab().save(str(path)):
            raise SystemExit(f"nbd_map_screenshots: {path}: cannot write the PNG")
        written.append(path)
    window.close()
    return written


if __name__ == "__main__":
    width, height = (int(v) for v in sys.argv[1].split("x"))
    for written in shoot((width, height), Path(sys.argv[2])):
        print(written)
