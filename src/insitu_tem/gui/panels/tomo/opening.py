"""The Tomography panel's first step: open a tilt series from a file or a folder of per-tilt
files (with the EDS elements to map from spectrum images), open the sample phantom, or add a
channel of the same tilts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

SERIES_FILTER = "Tilt series (*.mrc *.ali *.st *.mrcs *.hspy *.hdf5 *.mdoc);;All files (*)"


def sample_folder() -> Path:
    """Where the sample tilt series is written (the user's cache folder)."""
    cache = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    return Path(cache) / "sample_data"


class SeriesOpener(QWidget):
    """Buttons and the elements field of the opening step.

    Signals
    -------
    openRequested(str, list) : a series and the series whose channels join it
    addRequested(str) : a channel of the same tilts
    """

    openRequested = Signal(str, list)
    addRequested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.open_button = QPushButton("Open Tilt Series…")
        self.folder_button = QPushButton("Open Folder…")
        self.sample_button = QPushButton("Sample")
        self.elements = QLineEdit()
        self.elements.setPlaceholderText("EDS elements, e.g. Si,O,Fe")
        self.elements.setMinimumWidth(
            self.elements.fontMetrics().horizontalAdvance("EDS elements, e.g. Si,O,Fe") + 16
        )
        self.add_button = QPushButton("Add Channel…")
        tips = {
            self.open_button: "Read a tilt series file: .mrc/.ali/.st with a .rawtlt/.tlt beside "
            "it, an .hspy with a tilt axis in degrees, or a SerialEM .mdoc (File ▸ Open and "
            "dropping files work too)",
            self.folder_button: "Read a folder of per-tilt files named by angle (-40.bcf … "
            "35.bcf); type the EDS elements first to map them from spectrum images",
            self.sample_button: "Open the sample tilt series: a core–shell nanowire with voids, "
            "HAADF and an O map (5 nm shell; truth in tomo.truth.json beside it)",
            self.elements: "Per-tilt spectrum images (.bcf/.emd): one background-subtracted "
            "line map per element, typed before opening",
            self.add_button: "Another map series of the same tilts (e.g. an element map), "
            "aligned with the reference",
        }
        for widget, tip in tips.items():
            widget.setToolTip(tip)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.open_button,
            self.folder_button,
            self.sample_button,
            self.elements,
            self.add_button,
        ):
            layout.addWidget(widget)
        self.open_button.clicked.connect(self._ask_file)
        self.folder_button.clicked.connect(self._ask_folder)
        self.sample_button.clicked.connect(self.open_sample)
        self.add_button.clicked.connect(self._ask_add)

    def element_names(self) -> tuple[str, ...]:
        """The EDS elements typed, e.g. ("Si", "O")."""
        return tuple(e.strip() for e in self.elements.text().split(",") if e.strip())

    def _ask_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Tilt series", "", SERIES_FILTER)
        if path:
            self.openRequested.emit(path, [])

    def _ask_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder of per-tilt files named by angle")
        if path:
            self.openRequested.emit(path, [])

    def _ask_add(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Channel of the same tilt series", "", SERIES_FILTER
        )
        if path:
            self.addRequested.emit(path)

    def open_sample(self) -> None:
        """Write the sample phantom into the cache folder (once) and open its HAADF with the O
        map as a second channel."""
        from insitu_tem.samples import tomo as sample

        folder = sample_folder()
        haadf, oxygen = folder / sample.HAADF_NAME, folder / sample.OXYGEN_NAME
        if not (haadf.is_file() and oxygen.is_file()):
            sample.write(folder)
        self.openRequested.emit(str(haadf), [str(oxygen)])
