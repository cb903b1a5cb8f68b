"""The kymograph: distance along the line (horizontal, calibrated) vs time (downwards),
with the automatic front track, the manual marks and the current frame overlaid."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal

from insitu_tem.analysis.display import percentile_levels
from insitu_tem.gui.widgets.plot_factory import add_plot
from insitu_tem.gui.widgets.plot_hint import PlotHint


class KymographView(pg.GraphicsLayoutWidget):
    """Shows a kymograph image on calibrated axes.

    Signals
    -------
    time_clicked(float) : the user clicked at this time (time units)
    """

    time_clicked = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = add_plot(self)
        self.plot.invertY(True)
        self.plot.setLabel("bottom", "distance along line")
        self.plot.setLabel("left", "time")
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image_item)
        self.auto_curve = pg.PlotDataItem(pen=pg.mkPen("#00e5ff", width=2), name="automatic")
        self.manual_points = pg.ScatterPlotItem(
            size=9, pen=pg.mkPen("#ff5050", width=2), brush=None, name="manual"
        )
        self.frame_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#ffcc00", width=1))
        for item in (self.auto_curve, self.manual_points, self.frame_line):
            self.plot.addItem(item, ignoreBounds=True)
        self.image: np.ndarray | None = None
        self._distance = np.zeros(1)
        self._times = np.zeros(1)
        self.scene().sigMouseClicked.connect(self._clicked)
        self.frame_line.hide()
        self.hint = PlotHint(
            self.plot, "Draw a line on the movie\n(Line tool) to see\nthe kymograph"
        )

    def set_kymograph(
        self,
        image: np.ndarray,
        distance: np.ndarray,
        times: np.ndarray,
        *,
        distance_units: str,
        time_units: str,
    ) -> None:
        """Show ``image`` (frames x samples) with calibrated distance and times."""
        self.image, self._distance, self._times = image, np.asarray(distance), np.asarray(times)
        self.image_item.setImage(image, levels=percentile_levels(image), autoLevels=False)
        step_d = (distance[-1] - distance[0]) / max(len(distance) - 1, 1) or 1.0
        step_t = (times[-1] - times[0]) / max(len(times) - 1, 1) or 1.0
        self.image_item.setRect(
            QRectF(
                distance[0] - step_d / 2,
                times[0] - step_t / 2,
                step_d * image.shape[1],
                step_t * image.shape[0],
            )
        )
        self.plot.setLabel(
            "bottom",
            "distance along line",
            units=None if distance_units == "px" else distance_units,
        )
        self.plot.setLabel("left", "time", units=time_units)
        self.hint.set_empty(False)
        self.frame_line.show()
        self.plot.autoRange(padding=0)

    def reset(self) -> None:
        """Nothing shown: no kymograph, no tracks (a new movie has no line yet).

        Not ``clear``: GraphicsLayoutWidget binds that name to emptying its layout.
        """
        self.image = None
        self.image_item.clear()
        self.set_tracks(None, None)
        self.hint.set_empty(True)
        self.frame_line.hide()

    def set_tracks(
        self,
        auto: tuple[np.ndarray, np.ndarray] | None,
        manual: tuple[np.ndarray, np.ndarray] | None,
    ) -> None:
        """Overlay (times, positions) of the automatic track (curve) and the manual marks
        (points)."""
        if auto is None:
            self.auto_curve.setData([], [])
        else:
            self.auto_curve.setData(auto[1], auto[0], connect="finite")
        if manual is None:
            self.manual_points.setData([], [])
        else:
            self.manual_points.setData(manual[1], manual[0])

    def set_time(self, time: float) -> None:
        self.frame_line.setPos(time)

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.image is None:
            return
        if not self.plot.vb.sceneBoundingRect().contains(event.scenePos()):
            return
        self.time_clicked.emit(float(self.plot.vb.mapSceneToView(event.scenePos()).y()))
