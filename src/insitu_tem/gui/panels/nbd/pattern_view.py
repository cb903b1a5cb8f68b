"""The NBD pattern view: log, gamma or linear display, the direct-beam centre, the
detected spots and arrows showing each spot's shift from the reference pattern."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from insitu_tem.gui.widgets.image_view import CalibratedImageView
from insitu_tem.figures.overlay_colours import NBD_CENTRE, NBD_SPOTS
from insitu_tem.figures.pattern_display import DISPLAY_MODES, pattern_display

ARROW_GAIN = 10.0


class NbdPatternView(CalibratedImageView):
    """Calibrated pattern with centre, spot and spot-shift overlays (arrows magnified ×10)."""

    value_name = "counts"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.mode, self.gamma = "log", 0.3
        self._raw: np.ndarray | None = None
        self.centre_marker = pg.ScatterPlotItem(
            size=12, symbol="+", pen=pg.mkPen(NBD_CENTRE, width=2), brush=None
        )
        self.spot_markers = pg.ScatterPlotItem(
            size=9, symbol="o", pen=pg.mkPen(NBD_SPOTS, width=1), brush=None
        )
        self.arrows = pg.PlotDataItem(pen=pg.mkPen("#ff4040", width=2), connect="pairs")
        self.arrow_heads = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush("#ff4040"))
        for item in (self.spot_markers, self.arrows, self.arrow_heads, self.centre_marker):
            self.view.addItem(item)

    @property
    def measured_frame(self) -> np.ndarray | None:
        """The raw pattern (counts), not its log or gamma display."""
        return self._raw

    def set_display(self, mode: str, gamma: float | None = None) -> None:
        """Choose "log", "gamma" (with exponent ``gamma``) or "linear" and redraw."""
        if mode not in DISPLAY_MODES:
            raise ValueError(f"display mode must be one of {DISPLAY_MODES}, got {mode!r}")
        self.mode = mode
        self.gamma = self.gamma if gamma is None else float(gamma)
        if self._raw is not None:
            self.set_frame(pattern_display(self._raw, mode=self.mode, gamma=self.gamma))

    def show_pattern(self, pattern, *, axes=None, auto_range: bool = False) -> None:
        """Show one raw pattern with the current display transform."""
        self._raw = np.asarray(pattern)
        self.set_frame(
            pattern_display(self._raw, mode=self.mode, gamma=self.gamma),
            axes=axes,
            auto_range=auto_range,
        )

    def clear_frame(self) -> None:
        """No pattern and no overlay, as before any data."""
        super().clear_frame()
        self._raw = None
        self.show_overlays()

    def _to_view(self, rc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        row_axis, col_axis = self.axes
        rc = np.asarray(rc, dtype=float).reshape(-1, 2)
        return col_axis.offset + col_axis.scale * rc[:, 1], row_axis.offset + row_axis.scale * rc[
            :, 0
        ]

    def show_overlays(self, *, centre_rc=None, spots_rc=None, start_rc=None, shift_px=None) -> None:
        """Draw the centre, spot markers and shift arrows (start + ARROW_GAIN × shift); None
        clears."""
        for item, rc in ((self.centre_marker, centre_rc), (self.spot_markers, spots_rc)):
            points = np.zeros((0, 2)) if rc is None else np.asarray(rc, dtype=float).reshape(-1, 2)
            x, y = self._to_view(points[np.isfinite(points).all(axis=1)])
            item.setData(x, y)
        if start_rc is None or shift_px is None:
            self.arrows.setData([], [])
            self.arrow_heads.setData([], [])
            return
        start = np.asarray(start_rc, dtype=float)
        keep = np.isfinite(shift_px).all(axis=1)
        end = start[keep] + ARROW_GAIN * np.asarray(shift_px)[keep]
        x0, y0 = self._to_view(start[keep])
        x1, y1 = self._to_view(end)
        self.arrows.setData(np.column_stack([x0, x1]).ravel(), np.column_stack([y0, y1]).ravel())
        self.arrow_heads.setData(x1, y1)

    def arrow_count(self) -> int:
        """Number of shift arrows drawn."""
        x, _ = self.arrows.getData()
        return 0 if x is None else len(x) // 2
