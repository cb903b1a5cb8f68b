"""The movie's image view: the calibrated view with fixed (precomputed) levels for
playback speed, a colour table with gamma, and a timestamp overlay."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel

from insitu_tem.analysis.movie.display_processing import gamma_lut
from insitu_tem.core.model import Axis
from insitu_tem.gui.widgets.image_view import CalibratedImageView


class MovieView(CalibratedImageView):
    """A :class:`CalibratedImageView` tuned for playback.

    Levels are always fixed (set once from percentiles across the movie, or by
    the user), so showing a frame is one ``ImageItem.setImage`` with a
    precomputed lookup table — no per-frame statistics.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.timestamp = QLabel(self)
        self.timestamp.setStyleSheet(
            "QLabel { color: white; background: rgba(0, 0, 0, 140); padding: 2px 6px;"
            " font-weight: bold; }"
        )
        self.timestamp.move(8, 8)
        self.colormap_name, self.gamma = "grey", 1.0
        self.set_hint("Open a movie (File ▸ Open, or drop it on the window) to play it here")

    def show_frame(self, frame: np.ndarray, *, axes: tuple[Axis, Axis] | None = None) -> None:
        """Show one display frame; ``axes`` only when the geometry changed (crop, binning)."""
        if axes is not None or self._fixed_levels is None:
            self.set_frame(frame, axes=axes)
            return
        self._frame = self._values = frame
        self.image_item.setImage(frame, autoLevels=False, levels=self._fixed_levels)

    def clear_frame(self) -> None:
        """No frame, no levels and no time on the image, as before any movie."""
        super().clear_frame()
        self._fixed_levels = None
        self.set_timestamp("")

    def set_levels(self, black: float, white: float) -> None:
        """Fix the display levels (black, white) in data units."""
        self.set_fixed_levels((float(black), float(white)))

    def levels(self) -> tuple[float, float] | None:
        return self._fixed_levels

    def set_lut(self, colormap: str, gamma: float) -> None:
        """Colour map (name from :data:`COLORMAPS`) read through a gamma curve."""
        self.colormap_name, self.gamma = colormap, float(gamma)
        colors = (
            None
            if colormap == "grey"
            else pg.colormap.get(colormap).getLookupTable(nPts=256, alpha=False)
        )
        self.image_item.setLookupTable(gamma_lut(colors, gamma))

    def set_timestamp(self, text: str) -> None:
        """The time (or frame) drawn on the image; hidden when ``text`` is empty."""
        self.timestamp.setText(text)
        self.timestamp.adjustSize()
        self.timestamp.setVisible(bool(text))
