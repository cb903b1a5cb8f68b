"""2-D front mode in the movie panel: the reacted region's boundary drawn on the
current frame (the session's "film.area" result)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from insitu_tem.core.model import Axis


class ReactedAreaOverlay:
    """A dotted outline of the reacted region on a ViewBox, one frame at a time."""

    def __init__(self, view_box: pg.ViewBox) -> None:
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#ffa040", width=1.5, style=Qt.PenStyle.DotLine))
        view_box.addItem(self.curve, ignoreBounds=True)
        self.contours_rc: list | None = None

    def set_contours(self, contours_rc: list | None) -> None:
        """The boundary of every frame, ``[[[row, col], ...], ...]`` px (None: nothing to draw)."""
        self.contours_rc = contours_rc

    def show(self, frame: int, axes: tuple[Axis, Axis], offset_rc) -> None:
        """Draw frame ``frame``'s boundary, (row, col) px moved by ``offset_rc`` onto the
        display."""
        if (
            self.contours_rc is None
            or frame >= len(self.contours_rc)
            or not len(self.contours_rc[frame])
        ):
            self.curve.setData([], [])
            return
        contour = np.asarray(self.contours_rc[frame], dtype=float) + np.asarray(
            offset_rc, dtype=float
        )
        row, col = axes
        self.curve.setData(
            col.offset + col.scale * contour[:, 1], row.offset + row.scale * contour[:, 0]
        )
