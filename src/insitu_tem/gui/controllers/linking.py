"""Links the probe line scans to the movie: a probe index is a point on the film at a time.

Choosing a probe (NBD/EELS navigator, a click on a profile) moves the movie to the
scan's time and marks the probe point; clicking the movie near a scan line picks
the nearest probe. The registered scan lines are drawn on the movie.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject

from insitu_tem.core.coordinates import ScanRegistration
from insitu_tem.figures.overlay_colours import FRONT, PROBE, scan_line_colour
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.widgets.image_view import CalibratedImageView

SCAN_LINE_ROLES = ("eels", "nbd")
CLICK_TOLERANCE_PX = 10.0


class ScanLinker(QObject):
    """Keeps frame, probe index and film position consistent through the shared state."""

    def __init__(
        self, state: SessionBridge, movie_view: CalibratedImageView, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.state, self.movie_view = state, movie_view
        self.scans: dict[str, ScanRegistration] = {}
        # the probe marker is not a handle: clicks on it reach the movie (e.g. the Line tool)
        self.marker = pg.ScatterPlotItem(
            size=14, pen=pg.mkPen(PROBE, width=2), brush=None, symbol="o"
        )
        self.lines: dict[str, pg.PlotDataItem] = {}
        self.front_line = pg.PlotDataItem(pen=pg.mkPen(FRONT, width=3))
        self.marker.mouseClickEvent = lambda event: event.ignore()
        self.front_line.setZValue(20)
        self.marker.setZValue(21)
        self.front_along_px: float | None = None
        movie_view.view.addItem(self.marker, ignoreBounds=True)
        movie_view.view.addItem(self.front_line, ignoreBounds=True)
        self._placing: tuple[str, list, object] | None = None
        state.scan_index_changed.connect(self._on_scan_index)
        state.position_changed.connect(self._on_position)
        movie_view.clicked.connect(self._on_view_click)

    def set_scan_lines(self, scan_lines: dict) -> None:
        """Register scan lines from a project's ``scan_lines`` ({role: dict})."""
        self.scans = {role: ScanRegistration.from_dict(doc) for role, doc in scan_lines.items()}
        for item in self.lines.values():
            self.movie_view.view.removeItem(item)
        self.lines = {}
        for role, scan in self.scans.items():
            item = pg.PlotDataItem(pen=pg.mkPen(scan_line_colour(role), width=2))
            self.movie_view.view.addItem(item, ignoreBounds=True)
            self.lines[role] = item
        self.redraw()

    def set_front_along(self, front_along_px: float | None) -> None:
        """Draw the front across the scan line, ``front_along_px`` from its first probe (movie
        px)."""
        self.front_along_px = front_along_px
        self.redraw()

    def front_segment_rc(self, half_length_px: float = 25.0):
        """End points (row, col) of the drawn front: perpendicular to the scan line at the front."""
        scan = self.scan()
        if scan is None or self.front_along_px is None:
            return None
        direction = np.subtract(scan.end_rc, scan.start_rc) / max(scan.length_px, 1e-12)
        centre = np.add(scan.start_rc, direction * self.front_along_px)
        normal = np.array([direction[1], -direction[0]])
        return tuple(centre - half_length_px * normal), tuple(centre + half_length_px * normal)

    def scan(self) -> ScanRegistration | None:
        """The registered scan the probe index refers to (EELS first, then NBD)."""
        return next((self.scans[r] for r in SCAN_LINE_ROLES if r in self.scans), None)

    def begin_placement(self, role: str, on_done) -> None:
        """Take the next two clicks on the movie as the first and last probe of ``role``'s scan.

        ``on_done(role, start_rc, end_rc)`` receives the points in raw movie px.
        """
        self._placing = (role, [], on_done)

    @property
    def placing(self) -> str | None:
        return self._placing[0] if self._placing else None

    def _raw_axes(self):
        movie = self.state.dataset("movie")
        return movie.signal_axes if movie is not None else self.movie_view.axes

    def _on_view_click(self, row_f: float, col_f: float) -> None:
        if self._placing is None:
            return
        role, points, on_done = self._placing
        shown_row, shown_col = self.movie_view.axes
        raw_row, raw_col = self._raw_axes()
        points.append(
            (
                raw_row.to_index(shown_row.to_value(row_f)),
                raw_col.to_index(shown_col.to_value(col_f)),
            )
        )
        if len(points) == 2:
            self._placing = None
            on_done(role, points[0], points[1])

    def redraw(self) -> None:
        """Place scan lines and the marker in the movie's calibrated coordinates."""
        row_axis, col_axis = self._raw_axes()
        for role, item in self.lines.items():
            scan = self.scans[role]
            item.setData(
                [col_axis.to_value(scan.start_rc[1]), col_axis.to_value(scan.end_rc[1])],
                [row_axis.to_value(scan.start_rc[0]), row_axis.to_value(scan.end_rc[0])],
            )
        segment = self.front_segment_rc()
        if segment is None:
            self.front_line.setData([], [])
        else:
            (r0, c0), (r1, c1) = segment
            self.front_line.setData(
                [col_axis.to_value(c0), col_axis.to_value(c1)],
                [row_axis.to_value(r0), row_axis.to_value(r1)],
            )
        position = self.state.position
        if position is None:
            self.marker.setData([], [])
        else:
            self.marker.setData([col_axis.to_value(position[1])], [row_axis.to_value(position[0])])

    def _on_scan_index(self, index: int) -> None:
        scan = self.scan()
        if scan is None:
            return
        self.state.set_time(scan.time_s)
        self.state.set_position(*scan.point_rc(min(index, scan.n_positions - 1)))

    def _on_position(self, row: float, col: float) -> None:
        scan = self.scan()
        if scan is not None:
            index, off_line = scan.nearest_index(row, col)
            if off_line <= CLICK_TOLERANCE_PX:
                self.state.set_scan_index(index)
        self.redraw()


class FrontMarkers:
    """The front position drawn as a red dashed line on every profile against scan position."""

    def __init__(self) -> None:
        self.lines: list[pg.InfiniteLine] = []
        self.position: float | None = None

    def attach(self, plots) -> None:
        """Add a marker to each pyqtgraph PlotWidget/PlotItem in ``plots``."""
        for plot in plots:
            line = pg.InfiniteLine(
                angle=90,
                movable=False,
                pen=pg.mkPen(FRONT, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine),
            )
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
            self.lines.append(line)

    def set_position(self, position: float | None) -> None:
        """Front position along the scan (same units as the profiles' x axis), or None to hide."""
        self.position = position
        for line in self.lines:
            line.setVisible(position is not None)
            if position is not None:
                line.setValue(position)
