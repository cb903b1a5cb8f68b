"""The Tomography panel's tilt-axis controls: direction and offset each *Auto* (measured when
aligning, :func:`~insitu_tem.analysis.tomo.axis_direction.estimate_axis_direction` and
:mod:`~insitu_tem.analysis.tomo.axis`) or typed (degrees, px) to override it, and what the
alignment shown used."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QWidget

from insitu_tem.analysis.tomo.odd_projections import left_out_reason


def axis_text(alignment, *, why: bool = True) -> str:
    """The tilt-axis direction an alignment used: measured ± 1σ (method), given, or (``why``)
    why 0° was used (its own reason only, not the alignment's others)."""
    angle = alignment.axis_angle_deg
    if alignment.axis_method == "given":
        return f"{angle:+.2f}° (typed)"
    if alignment.axis_method:
        return f"{angle:+.2f} ± {alignment.axis_angle_sigma_deg:.2f}° ({alignment.axis_method})"
    if not why:
        return f"{angle:+.2f}° (not measured)"
    if not alignment.axis_reason:
        return f"{angle:+.2f}° (direction not found)"
    return f"{angle:+.2f}° — " + alignment.axis_reason.replace("give --tilt-axis-angle", "type it")


def reason_text(alignment) -> str:
    """Why an alignment is not ok, in the panel's words: the projections it names by their tilts,
    as the projection view shows them (the reason's 0-based indices are the command line's),
    and the typed axis for the CLI option."""
    return _by_tilt(alignment.reason.replace("give --tilt-axis-angle", "type it"), alignment)


def left_out_text(alignment) -> str:
    """Which projections the reconstruction leaves out and why, by their tilts (``""`` when
    none)."""
    left_out = alignment.left_out_projections
    return _by_tilt(left_out_reason(left_out), alignment) if left_out else ""


_ONE_PROJECTION = {
    "unlike_projections": (
        ("{} share no more structure with their", "{} shares no more structure with its"),
        ("(their correlation peaks are", "(its correlation peak is"),
        ("nothing to align on — check them", "nothing to align on — check it"),
    ),
    "stopped_projections": (),
    "unconstrained_projections": (
        ("{} are not constrained", "{} is not constrained"),
        ("(their registration cost", "(its registration cost"),
        ("their shifts may be pixels off", "its shift may be pixels off"),
    ),
    "unshifted_projections": (
        ("the shifts of {} reach", "the shift of {} reaches"),
        ("those projections are left unshifted — check them", "it is left unshifted — check it"),
    ),
    "left_out_projections": (
        ("{} share far less structure", "{} shares far less structure"),
        (
            "Left out of the reconstruction — check them",
            "Left out of the reconstruction — check it",
        ),
    ),
}


def _by_tilt(text: str, alignment) -> str:
    """``text`` with each list of projection indices the alignment holds as data (unlike,
    stopped, unconstrained, unshifted, left out) named by their tilts, in the singular for one
    projection ("the projection at -22.5° shares ...")."""
    tilts = np.asarray(alignment.tilts_deg)
    for field, singular in _ONE_PROJECTION.items():
        indices = list(getattr(alignment, field))
        if not indices:
            continue
        one = len(indices) == 1
        named = f"the projection{'' if one else 's'} at {tilts_text(tilts[indices])}"
        text = text.replace(f"projections {indices}", named)
        for many_words, one_words in singular if one else ():
            text = text.replace(many_words.format(named), one_words.format(named))
    return text


def tilts_text(tilts, *, most: int = 8) -> str:
    """Tilt angles as the projection view shows them ("-60.0°, -56.0°"), the first ``most`` and,
    beyond them, how many there are in all ("…, (29 projections)")."""
    shown = ", ".join(f"{tilt:+.1f}°" for tilt in tilts[:most])
    return shown if len(tilts) <= most else f"{shown}, … ({len(tilts)} projections)"


def offset_text(alignment) -> str:
    """The tilt-axis offset an alignment used: measured ± 1σ, or typed (px)."""
    if not np.isfinite(alignment.axis_offset_sigma_px):
        return f"{alignment.axis_offset_px:+.2f} px (not measured)"
    if alignment.axis_offset_sigma_px == 0.0:
        return f"{alignment.axis_offset_px:+.2f} px (typed)"
    return f"{alignment.axis_offset_px:+.2f} ± {alignment.axis_offset_sigma_px:.2f} px"


def shifts_sigma_text(alignment) -> str:
    """The shifts' 1σ (median and largest over the tilts, px), or why there is none."""
    sigma = alignment.shifts_sigma_px
    if sigma is None or not np.all(np.isfinite(sigma)):
        return "shift 1σ not estimated (only auto alignment states it)"
    length = np.hypot(sigma[:, 0], sigma[:, 1])
    return f"shift 1σ {np.median(length):.2f} px median, {length.max():.2f} px largest"


def _auto_and_spin(limit: float, suffix: str) -> tuple[QCheckBox, QDoubleSpinBox]:
    auto = QCheckBox("Auto")
    auto.setChecked(True)
    spin = QDoubleSpinBox()
    spin.setRange(-limit, limit)
    spin.setDecimals(2)
    spin.setSingleStep(0.5)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)
    return auto, spin


class AxisControl(QWidget):
    """*Auto* check boxes and spin boxes for the tilt-axis direction (degrees) and offset (px),
    and the direction and offset the alignment used.

    Signals
    -------
    chosen(object) : the user asked for a direction: None (Auto) or degrees
    offsetChosen(object) : the user asked for an offset: None (Auto) or px
    """

    chosen = Signal(object)
    offsetChosen = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.auto, self.angle = _auto_and_spin(90.0, "°")
        self.offset_auto, self.offset = _auto_and_spin(4096.0, " px")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.auto.setToolTip(
            "Measure the tilt-axis direction from the motion between tilts when aligning "
            "(falls back to 0° and says why when it cannot)"
        )
        self.angle.setToolTip(
            "Tilt-axis direction from the image rows towards the columns, degrees; typing "
            "an angle overrides Auto"
        )
        self.offset_auto.setToolTip("Measure the tilt-axis offset when aligning")
        self.offset.setToolTip(
            "Tilt-axis position across the axis from the image centre, px; typing one "
            "overrides Auto"
        )
        self.result.setToolTip("Tilt-axis direction and offset the alignment used, ± 1σ (method)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        widgets = (QLabel("Tilt axis"), self.auto, self.angle)
        for widget in (*widgets, QLabel("offset"), self.offset_auto, self.offset):
            layout.addWidget(widget)
        layout.addWidget(self.result, 1)
        for auto, spin, signal in (
            (self.auto, self.angle, self.chosen),
            (self.offset_auto, self.offset, self.offsetChosen),
        ):
            auto.clicked.connect(
                lambda checked, s=spin, g=signal: g.emit(None if checked else s.value())
            )
            spin.valueChanged.connect(lambda value, g=signal: g.emit(float(value)))
        self.set_state((None, None), None)

    def set_state(self, choices, alignment, used=None) -> None:
        """Show the direction and offset asked for (``choices``, None: Auto, the spin box then
        shows the measured value), what ``alignment`` (None: not aligned) used, and whether it
        was aligned with other ``used`` choices."""
        measured = (None, None)
        if alignment is not None:
            measured = (alignment.axis_angle_deg, alignment.axis_offset_px)
        for auto, spin, choice, value in zip(
            (self.auto, self.offset_auto), (self.angle, self.offset), choices, measured
        ):
            auto.setChecked(choice is None)
            shown = value if choice is None else choice
            if shown is not None:
                spin.blockSignals(True)
                spin.setValue(shown)
                spin.blockSignals(False)
        if alignment is None:
            self.result.setText("measured when aligning" if choices[0] is None else "")
            return
        text = f"{axis_text(alignment)}, offset {offset_text(alignment)}"
        if used is not None and tuple(used) != tuple(choices):
            text += "; Align to use the new choice"
        self.result.setText(text)
