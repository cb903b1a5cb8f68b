"""The NBD panel's two rows of controls under the pattern: its display (mode, γ), the strain
reference and the ellipse correction; the known ring spacing that calibrates the detector and
the composition of the ePDF."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.analysis.diffraction.ring_fit import COMPOSITIONS
from insitu_tem.gui.panels.nbd.pattern_view import DISPLAY_MODES
from insitu_tem.gui.panels.nbd.rows import row


class NbdControls(QWidget):
    """The controls, laid out in two rows; the panel connects them (``gamma``: the display's
    exponent shown first)."""

    def __init__(self, gamma: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.display = QComboBox()
        self.display.addItems(DISPLAY_MODES)
        self.display.setToolTip(
            "How the pattern is shown: log(1 + I), (I − min)^γ or linear (measurements use the "
            "counts)"
        )
        self.gamma = QDoubleSpinBox()
        self.gamma.setRange(0.05, 2.0)
        self.gamma.setSingleStep(0.05)
        self.gamma.setValue(gamma)
        self.gamma.setToolTip("Exponent γ of the gamma display (dimensionless)")
        self.reference_button = QPushButton("Use as strain reference")
        self.reference_button.setToolTip(
            "Measure the lattice strain (%) of every pattern against this one (undoable)"
        )
        self.composition = QComboBox()
        self.composition.addItems(list(COMPOSITIONS))
        self.composition.setCurrentText("W + 3 Li2O")
        self.composition.setToolTip("Composition used for the ePDF G(r) normalisation")
        self.known_d = QDoubleSpinBox()
        self.known_d.setRange(0.5, 20.0)
        self.known_d.setDecimals(3)
        self.known_d.setValue(2.238)
        self.known_d.setSuffix(" Å")
        self.known_d.setToolTip(
            "Known spacing of the strongest ring, Å (calibrates 1/nm per detector pixel)"
        )
        self.calibrate_button = QPushButton("Calibrate on strongest ring")
        self.calibrate_button.setToolTip(
            "Set the detector calibration so the strongest ring has the known d (undoable)"
        )
        self.ellipse_box = QCheckBox("Correct ellipse (fit on this ring)")
        self.ellipse_box.setToolTip(
            "Fit the detector's elliptical distortion on this pattern's strongest ring and correct "
            "every profile"
        )
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        display = (QLabel("Display"), self.display, QLabel("γ"), self.gamma)
        column.addLayout(row(*display, self.reference_button, self.ellipse_box))
        ring = (QLabel("Known ring d"), self.known_d, self.calibrate_button)
        column.addLayout(row(*ring, QLabel("ePDF of"), self.composition))

    def show_correction(self, corrected: bool) -> None:
        """Tick the ellipse box as the correction in effect says, without emitting."""
        self.ellipse_box.blockSignals(True)
        self.ellipse_box.setChecked(corrected)
        self.ellipse_box.blockSignals(False)
