"""Options of File ▸ Export Movie: frame rate, size, crop and frame range."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
)

from insitu_tem.gui.frame_numbers import FIRST_FRAME, frame_index, frame_number

CROPS = ("Whole frame", "Visible area", "Display crop")


class MovieExportDialog(QDialog):
    """Frame rate (default: the playback rate), output scale, crop and first/last frame.

    Parameters
    ----------
    n_frames : int
    fps : float
        The playback rate on screen, frames/s.
    crops : dict of str to (int, int, int, int) or None
        Crop choices available, (row0, col0, row1, col1) px; names from :data:`CROPS`.
    frame_range : (int, int)
        The first and last frame index to propose (0-based, inclusive; shown as frame numbers
        from :data:`~insitu_tem.gui.frame_numbers.FIRST_FRAME`).
    """

    def __init__(self, *, n_frames: int, fps: float, crops: dict, frame_range, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export movie")
        self.fps = QDoubleSpinBox(minimum=0.1, maximum=240.0, value=float(fps), decimals=1)
        self.fps.setSuffix(" fps")
        self.fps.setToolTip("Playback rate of the exported file, frames per second")
        self.zoom = QDoubleSpinBox(minimum=0.25, maximum=8.0, value=1.0, singleStep=0.25)
        self.zoom.setSuffix(" × (output px per image px)")
        self.crop = QComboBox()
        self._crops = {name: crops[name] for name in CROPS if name in crops}
        self.crop.addItems(list(self._crops))
        self.first, self.last = QSpinBox(), QSpinBox()
        for box in (self.first, self.last):
            box.setRange(FIRST_FRAME, frame_number(max(n_frames - 1, 0)))
            box.setToolTip(f"Frame number (from {FIRST_FRAME}, as under the movie)")
        self.first.setValue(frame_number(frame_range[0]))
        self.last.setValue(frame_number(frame_range[1]))
        self.step = QSpinBox(minimum=1, maximum=max(n_frames, 1), value=1)
        self.step.setToolTip("Export every n-th frame")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Frame rate", self.fps)
        form.addRow("Size", self.zoom)
        form.addRow("Crop", self.crop)
        form.addRow("First frame", self.first)
        form.addRow("Last frame", self.last)
        form.addRow("Every", self.step)
        form.addRow(buttons)

    def options(self) -> dict:
        """Keyword options for :func:`insitu_tem.figures.movie_export.export_movie`."""
        first, last = sorted((frame_index(self.first.value()), frame_index(self.last.value())))
        return {
            "fps": float(self.fps.value()),
            "zoom": float(self.zoom.value()),
            "crop": self._crops[self.crop.currentText()],
            "start": first,
            "stop": last + 1,
            "step": int(self.step.value()),
        }
