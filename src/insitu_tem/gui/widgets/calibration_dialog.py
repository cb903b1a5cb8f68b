"""A small dialog asking for a new pixel or channel size for one panel's data."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout

from insitu_tem.core.session import ROLES
from insitu_tem.gui.role_words import data_label

UNITS = ("nm", "Å", "µm", "1/nm", "1/Å", "eV")


class ScaleSpinBox(QDoubleSpinBox):
    """A size to seven decimals, written without trailing zeros (``2``, ``0.0100127``, not
    ``2.0000000``)."""

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt API
        text = self.locale().toString(value, "f", self.decimals())
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text


class CalibrationDialog(QDialog):
    """Role, scale and units; ``values()`` returns them once accepted.

    ``state.dataset(role)`` tells which roles have data to calibrate.
    """

    def __init__(self, state, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set calibration")
        self.role = QComboBox()
        for role in ROLES:
            if state.dataset(role) is not None:
                self.role.addItem(data_label(role, state.dataset(role)), role)
        self.scale = ScaleSpinBox()
        self.scale.setDecimals(7)
        self.scale.setRange(1e-7, 1e7)
        self.units = QComboBox()
        self.units.addItems(UNITS)
        self.units.setEditable(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Data", self.role)
        form.addRow("Pixel / channel size", self.scale)
        form.addRow("Units", self.units)
        form.addRow(buttons)
        self._state = state
        self.role.currentIndexChanged.connect(self._show_current)
        self._show_current()

    def _show_current(self) -> None:
        role = self.role.currentData()
        dataset = self._state.dataset(role) if role else None
        if dataset is not None:
            axis = dataset.signal_axes[-1]
            self.scale.setValue(axis.scale)
            if axis.calibrated:
                self.units.setCurrentText(axis.units)

    def values(self) -> tuple[str, float, str]:
        return self.role.currentData(), self.scale.value(), self.units.currentText()
