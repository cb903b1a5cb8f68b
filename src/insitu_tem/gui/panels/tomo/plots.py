"""The wire measurements drawn: the shell-thickness map (position along the wire × angle about
its axis), the thickness histogram and the radial profile, on calibrated axes."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from insitu_tem.gui.widgets.plot_factory import add_plot
from insitu_tem.gui.widgets.plot_hint import PlotHint

MAP_TITLE = "Shell thickness map"


def _no_shell_note(count: int) -> str:
    """ " — 3 rays found no shell (black)", or "" when every ray measured a thickness: those
    pixels are left empty, never drawn as a thickness of 0."""
    if not count:
        return ""
    return f" — {count} {'ray' if count == 1 else 'rays'} found no shell (black)"


class MeasurementPlots(pg.GraphicsLayoutWidget):
    """Three plots of a ``tomo.segmentation`` result value (lengths in voxels, scaled here)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.map_plot = add_plot(self, row=0, col=0, title=MAP_TITLE)
        self.map_image = pg.ImageItem(axisOrder="row-major")
        self.map_plot.addItem(self.map_image)
        self.colour_bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False)
        self.colour_bar.setImageItem(self.map_image, insert_in=self.map_plot)
        self.histogram_plot = add_plot(self, row=1, col=0, title="Shell thickness histogram")
        self.histogram = pg.PlotDataItem(stepMode="center", fillLevel=0, brush=(80, 160, 255, 120))
        self.histogram_plot.addItem(self.histogram)
        self.radial_plot = add_plot(self, row=2, col=0, title="Radial profile about the wire axis")
        self.radial = pg.PlotDataItem(pen=pg.mkPen("w", width=2))
        self.radial_plot.addItem(self.radial)
        self.units = "px"
        self.hints = [
            PlotHint(plot, f"Segment core / shell / voids to plot the {what}")
            for plot, what in (
                (self.map_plot, "shell thickness map"),
                (self.histogram_plot, "shell thickness histogram"),
                (self.radial_plot, "radial profile"),
            )
        ]
        self._show_hints(True)

    def _show_hints(self, empty: bool) -> None:
        """Hints instead of axes and the colour bar while there is no measurement."""
        for hint in self.hints:
            hint.set_empty(empty)
        self.colour_bar.setVisible(not empty)

    def axis_label(self, plot: str, side: str) -> str:
        """The label text of an axis (``plot`` "map", "histogram" or "radial"; side
        "bottom"/"left")."""
        item = getattr(self, f"{plot}_plot").getAxis(side)
        return f"{item.labelText} ({item.labelUnits})" if item.labelUnits else item.labelText

    def set_measurement(self, value: dict | None, voxel_size: float, units: str) -> None:
        """Show a stored measurement (None clears)."""
        self.units = units
        if value is None:
            for item in (self.map_image, self.histogram, self.radial):
                item.clear()
            self.map_plot.setTitle(MAP_TITLE)
            self._show_hints(True)
            return
        thickness = np.asarray(value.get("thickness_map_px", []), float) * voxel_size
        if thickness.ndim == 2 and thickness.size:
            finite = thickness[np.isfinite(thickness)]
            high = float(finite.max()) if finite.size else 1.0
            self.map_image.setImage(thickness, levels=(0.0, high))
            self.map_plot.setTitle(MAP_TITLE + _no_shell_note(thickness.size - finite.size))
            self.map_image.setRect(QRectF(0.0, 0.0, 360.0, thickness.shape[0] * voxel_size))
            self.colour_bar.setLevels((0.0, high))
        histogram = value["thickness_histogram"]
        edges = np.asarray(histogram["edges_px"], float) * voxel_size
        counts = np.asarray(histogram["counts"], float)
        if counts.size:
            self.histogram.setData(edges, counts)
        radial = value["radial_profile"]
        radius = np.asarray(radial["radius_px"], float) * voxel_size
        self.radial.setData(radius, np.asarray(radial["mean"], float), connect="finite")
        self._label(units)
        self._show_hints(False)

    def _label(self, units: str) -> None:
        self.map_plot.setLabel("bottom", "angle about the wire axis", units="°")
        self.map_plot.setLabel("left", "position along the wire", units=units)
        self.colour_bar.setLabel("right", f"thickness ({units})")
        self.histogram_plot.setLabel("bottom", "shell thickness", units=units)
        self.histogram_plot.setLabel("left", "rays")
        self.radial_plot.setLabel("bottom", "distance from the wire axis", units=units)
        self.radial_plot.setLabel("left", "mean intensity")
        for plot in (self.map_plot, self.histogram_plot, self.radial_plot):
            for side in ("bottom", "left"):
                plot.getAxis(side).enableAutoSIPrefix(False)
