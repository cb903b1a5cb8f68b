"""The timeline's inputs: how to compute the electron dose, and the film's geometry for the
lithium per formula unit. Widgets only; each emits its parameters as a plain dict."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QLabel,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from insitu_tem.analysis.timeline.front_charge import WO3_DENSITY_G_CM3, WO3_MOLAR_MASS_G_MOL

BEAM_CURRENT, COUNTS = "Beam current (nA)", "Counts per electron"


def _spin(value: float, low: float, high: float, decimals: int, suffix: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setValue(value)
    return spin


class DoseInputs(QGroupBox):
    """Beam current or camera conversion factor, illuminated area and 1σ; ``requested(dict)`` on
    Compute Dose with the ``workflows.dose`` parameters."""

    requested = Signal(dict)
    DEFAULTS = {
        "beam_current_nA": 1.0,
        "counts_per_electron": None,
        "area_nm2": None,
        "relative_sigma": 0.05,
    }

    def __init__(self, parent=None) -> None:
        super().__init__("Electron dose", parent)
        self.source = QComboBox()
        self.source.addItems([BEAM_CURRENT, COUNTS])
        self.value = _spin(1.0, 0.0, 1e6, 4, "")
        self.value.setToolTip("Beam current in nA, or the camera's counts per incident electron")
        self.area = _spin(0.0, 0.0, 1e12, 1, " nm²")
        self.area.setSpecialValueText("field of view")
        self.area.setToolTip("Illuminated area for the beam current (0: the field of view)")
        self.sigma = _spin(5.0, 0.0, 99.0, 1, " %")
        self.sigma.setToolTip("Relative 1σ of the current or of the conversion factor")
        self.compute = QPushButton("Compute Dose")
        form = QFormLayout(self)
        form.addRow("From", self.source)
        form.addRow("Value", self.value)
        form.addRow("Area", self.area)
        form.addRow("1σ", self.sigma)
        form.addRow(self.compute)
        self.compute.clicked.connect(lambda: self.requested.emit(self.parameters()))

    def parameters(self) -> dict:
        current = self.source.currentText() == BEAM_CURRENT
        return {
            "beam_current_nA": self.value.value() if current else None,
            "counts_per_electron": None if current else self.value.value(),
            "area_nm2": self.area.value() or None,
            "relative_sigma": self.sigma.value() / 100.0,
        }

    def set_parameters(self, parameters: dict) -> None:
        counts = parameters.get("counts_per_electron")
        self.source.setCurrentText(BEAM_CURRENT if counts is None else COUNTS)
        self.value.setValue(float(counts if counts is not None else parameters["beam_current_nA"]))
        self.area.setValue(float(parameters.get("area_nm2") or 0.0))
        self.sigma.setValue(100.0 * float(parameters.get("relative_sigma", 0.05)))


class GeometryInputs(QGroupBox):
    """Film height in the image and depth along the beam (nm, with 1σ), molar mass and density of
    the host (WO3 by default); ``changed(dict)`` after every edit, ``measureRequested()`` for the
    height measured along the movie's line."""

    changed = Signal(dict)
    measureRequested = Signal()
    DEFAULTS = {
        "height_nm": 0.0,
        "height_sigma_nm": 0.0,
        "depth_nm": 0.0,
        "depth_sigma_nm": 0.0,
        "molar_mass_g_mol": WO3_MOLAR_MASS_G_MOL,
        "density_g_cm3": WO3_DENSITY_G_CM3,
    }

    def __init__(self, parent=None) -> None:
        super().__init__("Film (Li per formula unit)", parent)
        self.height = _spin(0.0, 0.0, 1e6, 1, " nm")
        self.height.setSpecialValueText("not set")
        self.height.setToolTip("Film height in the image, across the front's path")
        self.height_sigma = _spin(0.0, 0.0, 1e6, 1, " nm")
        self.depth = _spin(0.0, 0.0, 1e6, 1, " nm")
        self.depth.setSpecialValueText("not set")
        self.depth.setToolTip("Film thickness along the beam (lamella thickness)")
        self.depth_sigma = _spin(0.0, 0.0, 1e6, 1, " nm")
        self.molar_mass = _spin(WO3_MOLAR_MASS_G_MOL, 1.0, 1e4, 2, " g/mol")
        self.density = _spin(WO3_DENSITY_G_CM3, 0.01, 100.0, 3, " g/cm³")
        self.measure = QPushButton("Measure Height on Movie Line")
        self.measure.setToolTip(
            "The session's film thickness along the movie's line (draw it across the film first)"
        )
        self.height_source = QLabel()
        self.height_source.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Height", self._pair(self.height, self.height_sigma))
        form.addRow("Depth", self._pair(self.depth, self.depth_sigma))
        form.addRow("Molar mass", self.molar_mass)
        form.addRow("Density", self.density)
        form.addRow(self.measure)
        form.addRow(self.height_source)
        for spin in self._spins():
            spin.editingFinished.connect(lambda: self.changed.emit(self.parameters()))
        self.measure.clicked.connect(self.measureRequested)

    @staticmethod
    def _pair(value: QDoubleSpinBox, sigma: QDoubleSpinBox) -> QWidget:
        sigma.setPrefix("± ")
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(value)
        row.addWidget(sigma)
        return box

    def _spins(self) -> tuple[QDoubleSpinBox, ...]:
        return (
            self.height,
            self.height_sigma,
            self.depth,
            self.depth_sigma,
            self.molar_mass,
            self.density,
        )

    def parameters(self) -> dict:
        return {
            "height_nm": self.height.value(),
            "height_sigma_nm": self.height_sigma.value(),
            "depth_nm": self.depth.value(),
            "depth_sigma_nm": self.depth_sigma.value(),
            "molar_mass_g_mol": self.molar_mass.value(),
            "density_g_cm3": self.density.value(),
        }

    def show_height_source(self, text: str, *, measured: bool) -> None:
        """Say where the height comes from; a ``measured`` height is not typed over."""
        self.height_source.setText(text)
        for spin in (self.height, self.height_sigma):
            spin.setReadOnly(measured)

    def set_parameters(self, parameters: dict) -> None:
        """Show ``parameters`` (no signal)."""
        for spin, name in zip(self._spins(), self.DEFAULTS):
            if isinstance(parameters.get(name), (int, float)):
                spin.blockSignals(True)
                spin.setValue(float(parameters[name]))
                spin.blockSignals(False)
