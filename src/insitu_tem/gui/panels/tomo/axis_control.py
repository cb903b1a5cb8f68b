"""The Tomography panel's tilt-axis direction control: *Auto* (measured when aligning,
:func:`~insitu_tem.analysis.tomo.axis_direction.estimate_axis_direction`) or an angle typed in
degrees that overrides it, and what the last alignment used."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QWidget


def axis_text(alignment) -> str:
    """The tilt-axis direction an alignment used: measured ± 1σ (method), given, or why 0° was
    used."""
    angle = alignment.axis_angle_deg
    if alignment.axis_method == "given":
        return f"{angle:+.2f}° (typed)"
    if alignment.axis_method:
        return f"{angle:+.2f} ± {alignment.axis_angle_sigma_deg:.2f}° ({alignment.axis_method})"
    return f"{angle:+.2f}°, not measured ({alignment.reason}): type the angle"


def axis_parameters(alignment) -> dict:
    """The tilt axis of an alignment as figure-provenance parameters (the CLI's JSON keys)."""
    return {
        "tilt_axis_angle_deg": alignment.axis_angle_deg,
        "tilt_axis_angle_sigma_deg": alignment.axis_angle_sigma_deg,
        "tilt_axis_method": alignment.axis_method,
        "tilt_axis_offset_px": alignment.axis_offset_px,
        "tilt_axis_offset_sigma_px": alignment.axis_offset_sigma_px,
    }


class AxisControl(QWidget):
    """*Auto* check box, angle spin box (degrees) and the direction the alignment used.

    Signals
    -------
    chosen(object) : the user asked for None (Auto) or an angle in degrees
    """

    chosen = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.auto = QCheckBox("Auto")
        self.auto.setChecked(True)
        self.angle = QDoubleSpinBox()
        self.angle.setRange(-90.0, 90.0)
        self.angle.setDecimals(2)
        self.angle.setSingleStep(0.5)
        self.angle.setSuffix("°")
        self.angle.setKeyboardTracking(False)
        self.result = QLabel("")
        self.auto.setToolTip(
            "Measure the tilt-axis direction from the motion between tilts when aligning "
            "(falls back to 0° and says why when it cannot)"
        )
        self.angle.setToolTip(
            "Tilt-axis direction from the image rows towards the columns, degrees; typing "
            "an angle overrides Auto"
        )
        self.result.setToolTip("Tilt-axis direction the last alignment used, ± 1σ (method)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel("Tilt axis"), self.auto, self.angle, self.result):
            layout.addWidget(widget)
        self.auto.clicked.connect(
            lambda checked: self.chosen.emit(None if checked else self.angle.value())
        )
        self.angle.valueChanged.connect(lambda value: self.chosen.emit(float(value)))
        self.set_state(None, None)

    def set_state(self, choice: float | None, alignment) -> None:
        """Show the direction asked for (None: Auto, the spin box then shows the measured one)
        and what ``alignment`` (None: not aligned) used."""
        shown = choice
        if choice is None and alignment is not None:
            shown = alignment.axis_angle_deg
        self.auto.setChecked(choice is None)
        if shown is not None:
            self.angle.blockSignals(True)
            self.angle.setValue(shown)
            self.angle.blockSignals(False)
        if alignment is None:
            self.result.setText("measured when aligning" if choice is None else "")
        else:
            self.result.setText(axis_text(alignment))
