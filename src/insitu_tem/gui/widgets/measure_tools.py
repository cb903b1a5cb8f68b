"""Everyday measuring tools on calibrated image views, as in DigitalMicrograph, Fiji or
napari: a ruler (length and direction; on a power spectrum or pattern in 1/nm it also reads
the spacing d = 1/g in Å), the angle between two lines, an intensity profile along a line with
a width (plot and CSV), region statistics and a colour bar.

The numbers come from :mod:`insitu_tem.analysis.measure`; this module only draws the
handles and shows the results. Handles are in the view's calibrated coordinates. A view may
measure other values than it shows (an NBD pattern shown on a log scale is measured in counts):
its ``measured_frame`` and ``value_name``. :meth:`MeasureTools.geometry` and
:meth:`MeasureTools.show_geometry` read and place every open tool (the session's
``measurements`` form), and ``edited`` says when the user changed them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
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
from insitu_tem.figures.overlay_colours import MEASURE_TOOLS as COLOURS
from insitu_tem.gui.guarded_save import save_guarded
from insitu_tem.gui.widgets.plot_factory import plot_widget
from insitu_tem.gui.widgets.plot_hint import PlotHint
from insitu_tem.gui.widgets.status_tip import show_status

TOOLS = ("Ruler", "Angle", "Profile", "Region")
HINTS = {
    "Ruler": "Ruler: drag either end on the image; its length and direction read under the "
    "buttons.",
    "Angle": "Angle: drag the ends of the two lines along the edges; the angle between them reads "
    "under the buttons.",
    "Profile": "Profile: drag either end across the feature; set the width to average parallel "
    "lines; the plot shows the values along it.",
    "Region": "Region: drag the box over the area, its corner handle to resize; mean, std, area "
    "and sum read under the buttons.",
}
"""What each tool waits for, shown in the window's status bar when the tool opens."""
TOOL_TIPS = {
    "Ruler": "Length (calibrated units; 1/nm and d in Å on a spectrum or pattern) and direction "
    "(° from +x) of a line you drag",
    "Angle": "Angle between two lines, degrees",
    "Profile": "Values along a line, averaged over its width; plot and CSV (distance in "
    "calibrated units)",
    "Region": "Mean, std, min, max, sum and area (calibrated units²) of the pixels in a box",
}
IDLE = "Choose a tool; drag its handles on the image."
PROFILE_HINT = "Profile plots the values along its line here"


class MeasureTools(QWidget):
    """Buttons that place measuring handles on ``view`` and a readout of what they measure.

    Parameters
    ----------
    views : CalibratedImageView or dict of str to CalibratedImageView
        The image to measure on, or several by name (a selector chooses one).

    Signals
    -------
    measured(str) : the readout changed (also shown in :attr:`result`)
    edited() : the user opened, closed, moved or resized a tool, changed the profile width or
        the image measured on (not sent by :meth:`show_geometry`)
    """

    measured = Signal(str)
    edited = Signal()

    def __init__(self, views, parent=None) -> None:
        super().__init__(parent)
        self.views = views if isinstance(views, dict) else {"image": views}
        self.view = next(iter(self.views.values()))
        self._placing = False
        self.target = QComboBox()
        self.target.addItems(list(self.views))
        self.target.setToolTip("The image the tools measure on")
        self.target.setStatusTip("The image the tools measure on")
        self.target.currentTextChanged.connect(self.measure_on)
        self.items: dict[str, list[pg.ROI]] = {}
        self.profile: LineProfile | None = None
        self.statistics: RegionStatistics | None = None
        self.buttons = {name: QPushButton(name) for name in TOOLS}
        for name, button in self.buttons.items():
            button.setCheckable(True)
            button.setToolTip(TOOL_TIPS[name])
            button.setStatusTip(TOOL_TIPS[name])
            button.toggled.connect(lambda on, n=name: self._toggle(n, on))
        self.width_px = QSpinBox(minimum=1, maximum=200, value=1, suffix=" px")
        self.width_px.setToolTip("Profile width: parallel lines averaged, pixels")
        self.width_px.setStatusTip(self.width_px.toolTip())
        self.width_px.valueChanged.connect(self.update_readout)
        self.width_px.valueChanged.connect(self._user_edit)
        self.colour_bar_box = QCheckBox("Colour bar")
        self.colour_bar_box.setToolTip("A colour bar beside the image with the display levels")
        self.colour_bar_box.toggled.connect(self.show_colour_bar)
        self.result = QLabel(IDLE)
        self.result.setWordWrap(True)
        self.plot = plot_widget()
        self.plot.setMinimumHeight(120)
        self.plot.setLabel("left", "intensity")
        self.curve = self.plot.plot(pen=pg.mkPen(COLOURS["Profile"], width=1.5))
        self.plot_hint = PlotHint(self.plot.getPlotItem(), PROFILE_HINT)
        self.save_button = QPushButton("Save profile CSV…")
        self.save_button.setToolTip("Write the profile as CSV: distance (calibrated units), value")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save_dialog)
        self.colour_bar: pg.ColorBarItem | None = None
        self._layout()
        self.view.image_item.sigImageChanged.connect(self.update_readout)

    def _layout(self) -> None:
        grid = QGridLayout(self)
        if len(self.views) > 1:
            grid.addWidget(QLabel("measure on"), 0, 0)
            grid.addWidget(self.target, 0, 1)
        for index, button in enumerate(self.buttons.values()):
            grid.addWidget(button, 1 + index // 2, index % 2)
        grid.addWidget(QLabel("profile width"), 3, 0)
        grid.addWidget(self.width_px, 3, 1)
        grid.addWidget(self.colour_bar_box, 4, 0)
        grid.addWidget(self.save_button, 4, 1)
        grid.addWidget(self.result, 5, 0, 1, 2)
        grid.addWidget(self.plot, 6, 0, 1, 2)

    def measure_on(self, name: str) -> None:
        """Move the tools to the view called ``name`` (open tools close, as their handles were
        placed in the other image's units)."""
        if self.views.get(name, self.view) is self.view:
            return
        placing, self._placing = self._placing, True
        try:
            for button in self.buttons.values():
                button.setChecked(False)
            self.colour_bar_box.setChecked(False)
            self.view.image_item.sigImageChanged.disconnect(self.update_readout)
            self.view = self.views[name]
            self.view.image_item.sigImageChanged.connect(self.update_readout)
            self.target.setCurrentText(name)
        finally:
            self._placing = placing
        self.update_readout()
        self._user_edit()

    # ------------------------------------------------------------------ handles
    def _default_line(self, fraction: float) -> tuple[QPointF, QPointF]:
        rect = self.view.view.viewRect()
        y = rect.top() + fraction * rect.height()
        return (
            QPointF(rect.left() + 0.3 * rect.width(), y),
            QPointF(rect.left() + 0.7 * rect.width(), y),
        )

    def _user_edit(self, *_args) -> None:
        if not self._placing:
            self.edited.emit()

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
                roi.sigRegionChangeFinished.connect(self._user_edit)
                self.view.view.addItem(roi)
            self.items[name] = rois
            show_status(self, HINTS[name])
        self.update_readout()
        self._user_edit()

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

    def geometry(self) -> dict:
        """The open tools: ``view`` (name of the image measured on), ``width_px`` and ``tools``
        (``{tool: [[row, col], ...]}`` handle positions in the image's calibrated coordinates; a
        region's two opposite corners)."""
        tools = {}
        for name, rois in self.items.items():
            if name == "Region":
                (x, y), (w, h) = rois[0].pos(), rois[0].size()
                tools[name] = [[y, x], [y + h, x + w]]
            else:
                ends = [roi.mapToParent(h.pos()) for roi in rois for h in roi.getHandles()]
                tools[name] = [[p.y(), p.x()] for p in ends]
        return {
            "view": self.target.currentText() or next(iter(self.views)),
            "width_px": self.width_px.value(),
            "tools": {name: tools[name] for name in TOOLS if name in tools},
        }

    def show_geometry(self, entry: dict) -> None:
        """Open, place and close tools as ``entry`` (the :meth:`geometry` form; {}: none)
        says, without sending ``edited``."""
        self._placing = True
        try:
            self.measure_on(entry.get("view", self.target.currentText()))
            self.width_px.setValue(int(entry.get("width_px", self.width_px.value())))
            tools = entry.get("tools", {})
            for name, button in self.buttons.items():
                button.setChecked(name in tools)
            for name, points in tools.items():
                self._place(name, [QPointF(c, r) for r, c in points])
        finally:
            self._placing = False
        self.update_readout()

    def _place(self, name: str, points: list[QPointF]) -> None:
        rois = self.items[name]
        if name == "Region":
            (first, second), roi = points, rois[0]
            roi.setPos(first, update=False, finish=False)
            roi.setSize(second - first, finish=False)
            return
        for k, roi in enumerate(rois):
            for handle, point in zip(roi.getHandles(), points[2 * k : 2 * k + 2]):
                roi.movePoint(handle, point, finish=False)

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
        frame = getattr(self.view, "measured_frame", self.view.frame)
        profiling = "Profile" in self.items
        self.save_button.setEnabled(profiling)
        self.plot_hint.set_empty(not profiling)
        if not profiling:
            self.curve.setData([], [])
        if frame is None:
            return
        parts = [
            text
            for name, read in (
                ("Ruler", self._read_ruler),
                ("Angle", self._read_angle),
                ("Profile", self._read_profile),
                ("Region", self._read_region),
            )
            if name in self.items and (text := read(frame))
        ]
        if self.colour_bar is not None:
            self.colour_bar.setLevels(tuple(float(v) for v in self.view.image_item.getLevels()))
        text = "\n".join(parts) or IDLE
        self.result.setText(text)
        self.measured.emit(text)

    def _read_ruler(self, _frame) -> str:
        scale, units = self._calibration()
        s = segment(*self.line_rc("Ruler"), scale=scale, units=units)
        spacing = f" (d = {s.d_A:.4g} Å)" if s.d_A is not None else ""
        return f"ruler: {s.length:.4g} {units}{spacing}, direction {s.angle_deg:.1f}°"

    def _read_angle(self, _frame) -> str:
        scale, units = self._calibration()
        first, second = (
            segment(*self.line_rc("Angle", i), scale=scale, units=units) for i in (0, 1)
        )
        return f"angle between lines: {angle_between(first, second):.1f}°"

    def _read_profile(self, frame) -> str:
        scale, units = self._calibration()
        start, end = self.line_rc("Profile")
        self.profile = line_profile(
            frame, start, end, width_px=self.width_px.value(), scale=scale, units=units
        )
        self.curve.setData(self.profile.distance, self.profile.values)
        self.plot.setLabel("bottom", f"distance ({units})")
        self.plot.setLabel("left", self._value_name())
        return (
            f"profile: {len(self.profile.values)} samples over {self.profile.distance[-1]:.4g} "
            f"{units}, width {self.profile.width_px} px"
        )

    def _read_region(self, frame) -> str:
        scale, units = self._calibration()
        try:
            self.statistics = st = region_statistics(
                frame, self.region_bounds(), scale=scale, units=units
            )
        except ValueError as error:
            self.statistics = None
            return f"region: {error}"
        return (
            f"region ({self._value_name()}): mean {st.mean:.5g} ± {st.std:.3g} (std), "
            f"min {st.minimum:.5g}, max {st.maximum:.5g}, {st.n_pixels} px = {st.area:.4g} "
            f"{st.area_units}, sum {st.total:.6g}"
        )

    def _value_name(self) -> str:
        return getattr(self.view, "value_name", "intensity")

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


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area: a tab holding the tools then does not impose their minimum
    height on the panel (the images keep their room in a short dock)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area
