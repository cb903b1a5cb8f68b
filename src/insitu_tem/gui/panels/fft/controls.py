"""Controls of the FFT panel: spot threshold, display filter, crystallinity map (with the
image's defocus and Cs), calibration reference and d(t) tracking."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from insitu_tem.gui.panels.fft.aberration_fields import AberrationFields
from insitu_tem.gui.widgets.availability import set_available

TRACK_TIP = "Follow the picked spots through the frames: d (Å) against time (s)"
SINGLE_IMAGE = "A single image: d(t) follows the spots through the frames of a movie"

FILTERS = ("ROI", "ABSF", "Wiener", "Bragg")
WINDOW_BOX = {
    True: {"minimum": 0.8, "maximum": 50.0, "singleStep": 0.4, "decimals": 1, "suffix": " nm"},
    False: {"minimum": 16.0, "maximum": 1024.0, "singleStep": 8.0, "decimals": 0, "suffix": " px"},
}
"""The crystallinity window box on a calibrated (nm) and an uncalibrated (px) image."""
FIRST_WINDOW_PX = 16.0
"""The window on the first image shown when it is uncalibrated (the smallest the map takes)."""


class FftControls(QWidget):
    """Widgets only; the panel connects their signals to tasks.

    Signals
    -------
    reference_changed(str, str) : phase name ("" for none) and hkl text
    """

    reference_changed = Signal(str, str)

    def __init__(self, phase_names: list[str], parent=None) -> None:
        super().__init__(parent)
        self.snr = QDoubleSpinBox(
            minimum=3.0, maximum=1000.0, value=15.0, singleStep=1.0, decimals=1
        )
        self.snr.setToolTip(
            "Smallest spot signal-to-noise ratio (peak over the local background σ, dimensionless)"
        )
        self.filter = QComboBox()
        self.filter.addItems(FILTERS)
        self.filter.setToolTip(
            "What the third view shows of the ROI: ABSF, Wiener or Bragg-filtered"
        )
        self.clear_button = QPushButton("Clear picks")
        self.clear_button.setToolTip("Forget the clicked spots")
        self.window_nm = QDoubleSpinBox(**WINDOW_BOX[True], value=3.2)
        self.window_nm.setToolTip("Side of the sliding FFT window of the crystallinity map, nm")
        self._window_pixel_nm: float | None = None
        self.crystallinity_button = QPushButton("Crystallinity map")
        self.crystallinity_button.setToolTip(
            "Map crystalline and amorphous areas with a sliding-window FFT"
        )
        self.show_overlay = QCheckBox("overlay")
        self.show_overlay.setChecked(True)
        self.show_overlay.setToolTip("Show the crystallinity map over the image")
        self.aberrations = AberrationFields()
        self.phase = QComboBox()
        self.phase.addItems(["(no reference)"] + list(phase_names))
        self.phase.setToolTip("Known phase whose indexed reflections calibrate the pixel size")
        self.hkl = QLineEdit()
        self.hkl.setPlaceholderText("hkl, e.g. 100")
        self.hkl.setMaximumWidth(90)
        self.apply_button = QPushButton("Apply correction")
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip(
            "Apply the pixel-size correction fitted on the known phase (undoable)"
        )
        self.track_button = QPushButton("Track d(t)")
        self.track_button.setToolTip(TRACK_TIP)
        self.follow_drift = QCheckBox("ROI follows drift")
        self.follow_drift.setToolTip("Move the ROI with the measured specimen drift while tracking")
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 2, 2, 2)
        widgets = [
            (QLabel("spot SNR ≥"), self.snr, QLabel("show"), self.filter, self.clear_button),
            (QLabel("window"), self.window_nm, self.crystallinity_button, self.show_overlay, None),
            (QLabel("reference"), self.phase, self.hkl, self.apply_button, None),
            (self.track_button, self.follow_drift, None, None, None),
        ]
        for row, items in enumerate(widgets):
            for column, widget in enumerate(items):
                if widget is not None:
                    grid.addWidget(widget, row, column)
        grid.addWidget(QLabel("optics"), len(widgets), 0)
        grid.addWidget(self.aberrations, len(widgets), 1, 1, 4)
        self.phase.currentIndexChanged.connect(self._emit_reference)
        self.hkl.editingFinished.connect(self._emit_reference)
        self.show_no_image()

    def show_no_image(self) -> None:
        """No image (before any, or after it closed): the buttons that need one are disabled."""
        for button in (self.clear_button, self.crystallinity_button, self.track_button):
            button.setEnabled(False)
        self.apply_button.setEnabled(False)

    def show_image(self, *, movie: bool, pixel: tuple[float, bool], too_small: str = "") -> None:
        """An image (``movie``: a movie) is shown: the buttons that need one are enabled (Track
        d(t): a movie; none when the frames are ``too_small``, which says why in the tooltip of
        Track d(t)) and the crystallinity window is in nm on a calibrated image, else in px
        (``pixel``: nm per px and whether calibrated); when the units change the side is kept
        in px (clipped to the box's range)."""
        for button in (self.clear_button, self.crystallinity_button):
            button.setEnabled(not too_small)
        reason = too_small or ("" if movie else SINGLE_IMAGE)
        set_available(self.track_button, reason, tooltip=TRACK_TIP)
        (pixel_nm, calibrated), units = pixel, "nm" if pixel[1] else "px"
        box = self.window_nm
        if box.suffix() == f" {units}":
            self._window_pixel_nm = pixel_nm
            return
        side_px = FIRST_WINDOW_PX
        if self._window_pixel_nm is not None:
            side_px = box.value() / self._window_pixel_nm
        options = WINDOW_BOX[calibrated]
        box.setDecimals(options["decimals"])
        box.setRange(options["minimum"], options["maximum"])
        box.setSingleStep(options["singleStep"])
        box.setSuffix(options["suffix"])
        box.setValue(side_px * pixel_nm)
        box.setToolTip(f"Side of the sliding FFT window of the crystallinity map, {units}")
        self._window_pixel_nm = pixel_nm

    def _emit_reference(self, *_args) -> None:
        name = self.phase.currentText() if self.phase.currentIndex() > 0 else ""
        self.reference_changed.emit(name, self.hkl.text().strip())

    def set_reference(self, name: str, hkl: str) -> None:
        """Select ``name`` (or no reference when empty) and ``hkl`` and emit the change."""
        self.hkl.setText(hkl)
        index = self.phase.findText(name) if name else 0
        self.phase.setCurrentIndex(max(index, 0))
        self._emit_reference()

    def state(self) -> dict:
        """What the project file keeps of these controls."""
        return {
            "snr": self.snr.value(),
            "filter": self.filter.currentText(),
            "window_nm": self.window_nm.value(),
            "follow_drift": self.follow_drift.isChecked(),
            "aberrations": self.aberrations.state(),
            "reference": {
                "phase": self.phase.currentText() if self.phase.currentIndex() > 0 else "",
                "hkl": self.hkl.text(),
            },
        }

    def restore(self, saved: dict) -> None:
        """Set the controls from a project's :meth:`state` (what it lacks keeps its value)."""
        self.snr.setValue(float(saved.get("snr", self.snr.value())))
        self.filter.setCurrentText(saved.get("filter", "ROI"))
        self.window_nm.setValue(float(saved.get("window_nm", self.window_nm.value())))
        self.follow_drift.setChecked(bool(saved.get("follow_drift", False)))
        self.aberrations.restore(saved.get("aberrations"))
        reference = saved.get("reference") or {}
        self.set_reference(reference.get("phase", ""), reference.get("hkl", ""))
