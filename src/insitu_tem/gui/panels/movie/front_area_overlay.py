"""2-D front mode in the movie panel: the reacted region's boundary drawn on the
current frame (from a :class:`~insitu_tem.analysis.movie.front_area.ReactedArea`)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from insitu_tem.analysis.movie.front_area import ReactedArea
from insitu_tem.core.model import Axis


class ReactedAreaOverlay:
    """A dotted outline of the reacted region on a ViewBox, one frame at a time."""

    def __init__(self, view_box: pg.ViewBox) -> None:
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#ffa040", width=1.5, style=Qt.PenStyle.DotLine))
        view_box.addItem(self.curve, ignoreBounds=True)
        self.result: ReactedArea | None = None

    def set_result(self, result: ReactedArea | None) -> None:
        self.result = result

    def show(self, frame: int, axes: tuple[Axis, Axis], offset_rc) -> None:
        """Draw frame ``frame``'s boundary, (row, col) px moved by ``offset_rc`` onto the display."""
        if (
            self.result is None
            or frame >= len(self.result.contours_rc)
            or not len(self.result.contours_rc[frame])
        ):
            self.curve.setData([], [])
            return
        contour = np.asarray(self.result.contours_rc[frame]) + np.asarray(offset_rc, dtype=float)
        row, col = axes
        self.curve.setData(
            col.offset + col.scale * contour[:, 1], row.offset + row.scale * contour[:, 0]
        )
