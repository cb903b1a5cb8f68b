"""Everyday measuring tools on a calibrated image view, as in DigitalMicrograph, Fiji or
napari: a ruler (length and direction), the angle between two lines, an intensity
profile along a line with a width (plot and CSV), region statistics and a colour bar.

The numbers come from :mod:`insitu_tem.analysis.measure`; this module only draws the
handles and shows the results. Handles are in the view's calibrated coordinates.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from insitu_tem.analysis.measure import (
    LineProfile,
    RegionStatistics,
    angle_between,
    line_profile,
    region_statistics,
    segment,
)
from insitu_tem.gui.guarded_save import save_guarded
from insitu_tem.gui.widgets.image_view import CalibratedImageView

TOOLS = ("Ruler", "Angle", "Profile", "Region")
COLOURS = {"Ruler": "#ffd54f", "Angle": "#ff8a65", "Profile": "#81c784", "Region": "#64b5f6"}


class MeasureTools(QWidget):
    """Buttons that place measuring handles on ``view`` and a readout of what they measure.

    Signals
    -------
    measured(str) : the readout changed (also shown in :attr:`result`)
    """

    measured = Signal(str)

    def __init__(self, view: CalibratedImageView, parent=None) -> None:
        super().__init__(parent)
        self.view = view
        self.items: dict[str, list[pg.ROI]] = {}
        self.profile: LineProfile | None = None
        self.statistics: RegionStatistics | None = None
        self.buttons = {name: QPushButton(name) for name in TOOLS}
        for name, button in self.buttons.items():
            button.setCheckable(True)
            button.toggled.connect(lambda on, n=name: self._toggle(n, on))
        self.width_px = QSpinBox(minimum=1, maximum=200, value=1, suffix=" px")
        self.width_px.setToolTip("Profile width: parallel lines averaged, pixels")
        self.width_px.valueChanged.connect(self.update_readout)
        self.colour_bar_box = QCheckBox("Colour bar")
        self.colour_bar_box.toggled.connect(self.show_colour_bar)
        self.result = QLabel("Choose a tool; drag its handles on the image.")
        self.result.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(120)
        self.plot.setLabel("left", "intensity")
        self.curve = self.plot.plot(pen=pg.mkPen(COLOURS["Profile"], width=1.5))
        self.save_button = QPushButton("Save profile CSV…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save_dialog)
        self.colour_bar: pg.ColorBarItem | None = None
        grid = QGridLayout(self)
        for column, button in enumerate(self.buttons.values()):
            grid.addWidget(button, 0, column)
        grid.addWidget(QLabel("profile width"), 1, 0)
        grid.addWidget(self.width_px, 1, 1)
        grid.addWidget(self.colour_bar_box, 1, 2)
        grid.addWidget(self.save_button, 1, 3)
        grid.addWidget(self.result, 2, 0, 1, 4)
        grid.addWidget(self.plot, 3, 0, 1, 4)
        view.image_item.sigImageChanged.connect(self.update_readout)

    # ------------------------------------------------------------------ handles
    def _default_line(self, fraction: float) -> tuple[QPointF, QPointF]:
        rect = self.view.view.viewRect()
        y = rect.top() + fraction * rect.height()
        return (
            QPointF(rect.left() + 0.3 * rect.width(), y),
            QPointF(rect.left() + 0.7 * rect.width(), y),
        )

    def _toggle(self, name: str, on: bool) -> None:
        for item in self.items.pop(name, []):
            self.view.view.removeItem(item)
        if on:
            pen = pg.mkPen(COLOURS[name], width=2)
            if name == "Region":
                rect = self.view.view.viewRect()
                roi = pg.RectROI(
                    [rect.center().x() - rect.width() / 8, rect.center().y() - rect.height() / 8],
                    [rect.width() / 4, rect.height() / 4],
                    pen=pen,
                )
                rois = [roi]
            else:
                fractions = (0.5, 0.65) if name == "Angle" else (0.5,)
                rois = [pg.LineSegmentROI(list(self._default_line(f)), pen=pen) for f in fractions]
            for roi in rois:
                roi.setZValue(30)
                roi.sigRegionChanged.connect(self.update_readout)
                self.view.view.addItem(roi)
            self.items[name] = rois
        self.update_readout()

    def set_line(self, name: str, start_rc, end_rc, *, index: int = 0) -> None:
        """Place a line tool's handles at (row, col) pixel indices (opens the tool)."""
        self.buttons[name].setChecked(True)
        roi = self.items[name][index]
        points = [self.view.index_to_data(*start_rc), self.view.index_to_data(*end_rc)]
        for handle, point in zip(roi.getHandles(), points):
            roi.movePoint(handle, point)

    def line_rc(self, name: str, index: int = 0) -> tuple[tuple[float, float], tuple[float, float]]:
        """(row, col) pixel indices of a line tool's two handles."""
        roi = self.items[name][index]
        ends = [roi.mapToParent(h.pos()) for h in roi.getHandles()]
        return tuple(self.view.data_to_index(point) for point in ends)

    def region_bounds(self) -> tuple[int, int, int, int]:
        """(row0, col0, row1, col1) pixels whose centres lie in the region tool, end exclusive."""
        roi = self.items["Region"][0]
        (x, y), (w, h) = roi.pos(), roi.size()
        r0, c0 = self.view.data_to_index(QPointF(x, y))
        r1, c1 = self.view.data_to_index(QPointF(x + w, y + h))
        return (
            int(np.ceil(min(r0, r1))),
            int(np.ceil(min(c0, c1))),
            int(np.floor(max(r0, r1))) + 1,
            int(np.floor(max(c0, c1))) + 1,
        )

    # ------------------------------------------------------------------ readout
    def _calibration(self) -> tuple[tuple[float, float], str]:
        row, col = self.view.axes
        if col.calibrated:
            return (row.scale, col.scale), col.units
        return (1.0, 1.0), "px"

    def update_readout(self, *_args) -> None:
        """Measure every open tool on the frame shown and show the numbers."""
        frame = self.view.frame
        if frame is None:
            return
        scale, units = self._calibration()
        parts = []
        if "Ruler" in self.items:
            s = segment(*self.line_rc("Ruler"), scale=scale, units=units)
            parts.append(f"ruler: {s.length:.4g} {units}, direction {s.angle_deg:.1f}°")
        if "Angle" in self.items:
            first, second = (
                segment(*self.line_rc("Angle", i), scale=scale, units=units) for i in (0, 1)
            )
            parts.append(f"angle between lines: {angle_between(first, second):.1f}°")
        if "Profile" in self.items:
            start, end = self.line_rc("Profile")
            self.profile = line_profile(
                frame, start, end, width_px=self.width_px.value(), scale=scale, units=units
            )
            self.curve.setData(self.profile.distance, self.profile.values)
            self.plot.setLabel("bottom", f"distance ({units})")
            parts.append(
                f"profile: {len(self.profile.values)} samples over {self.profile.distance[-1]:.4g} "
                f"{units}, width {self.profile.width_px} px"
            )
        self.save_button.setEnabled("Profile" in self.items)
        if "Region" in self.items:
            self.statistics = st = region_statistics(
                frame, self.region_bounds(), scale=scale, units=units
            )
            parts.append(
                f"region: mean {st.mean:.5g} ± {st.std:.3g} (std), min {st.minimum:.5g}, "
                f"max {st.maximum:.5g}, {st.n_pixels} px = {st.area:.4g} {st.area_units}, "
                f"sum {st.total:.6g}"
            )
        if self.colour_bar is not None:
            self.colour_bar.setLevels(tuple(float(v) for v in self.view.image_item.getLevels()))
        text = "\n".join(parts) or "Choose a tool; drag its handles on the image."
        self.result.setText(text)
        self.measured.emit(text)

    def _save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save line profile", "profile.csv", "CSV (*.csv)"
        )
        if path and self.profile is not None:
            save_guarded(path, self.profile.to_csv)
            self.result.setText(self.result.text() + f"\nsaved {path}")

    # --------------------------------------------------------------- colour bar
    def show_colour_bar(self, on: bool) -> None:
        """A colour bar beside the image with the display levels in the image's units."""
        if self.colour_bar is not None:
            self.view.ci.removeItem(self.colour_bar)
            self.colour_bar = None
        if not on:
            return
        levels = self.view.image_item.getLevels()
        lut = self.view.image_item.lut
        cmap = (
            pg.ColorMap(np.linspace(0, 1, len(lut)), np.asarray(lut)[:, :3])
            if lut is not None
            else pg.ColorMap([0.0, 1.0], [(0, 0, 0), (255, 255, 255)])
        )
        self.colour_bar = pg.ColorBarItem(
            values=tuple(float(v) for v in levels), colorMap=cmap, interactive=False, width=15
        )
        self.colour_bar.axis.setLabel("intensity (image units)")
        self.view.ci.addItem(self.colour_bar, row=0, col=1)
