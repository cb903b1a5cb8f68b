"""The identification settings of the EELS panel's EDS form (the detector resolution, measured on
the spectrum unless the user gives one; the false lines allowed per spectrum), what the shown
identification used, and its Export buttons: a row the panel shows beside its Elements box while
it holds EDS data (hidden until then)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from insitu_tem.workflows.eds_identify import DEFAULT_FALSE_ALARM
from insitu_tem.workflows.eds_quantify import parse_kfactors

RESOLUTION_RANGE_EV = (40.0, 400.0)
"""Detector FWHM at Mn Kα the user may give, eV (silicon drift detectors: about 120–140)."""
FALSE_ALARM_RANGE = (0.0001, 0.5)
"""False lines per spectrum the user may allow."""


class EdsSettings(QWidget):
    """Resolution, false-alarm and k-factor boxes, the values used, Export table… and Export
    maps….

    Signals
    -------
    changed(dict) : the user set ``{"resolution_mn_ka_ev": float or None (measured),
        "false_alarm": float, "kfactors": {element: k}}``
    rejected(str) : what the user typed in the k-factor box is not ELEMENT=k pairs (why)
    export_table() : Export table… was clicked
    export_maps() : Export maps… was clicked
    """

    changed = Signal(dict)
    rejected = Signal(str)
    export_table = Signal()
    export_maps = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.resolution = QDoubleSpinBox()
        self.resolution.setRange(RESOLUTION_RANGE_EV[0] - 1.0, RESOLUTION_RANGE_EV[1])
        self.resolution.setDecimals(0)
        self.resolution.setSuffix(" eV")
        self.resolution.setSpecialValueText("measured")
        self.resolution.setToolTip(
            "Detector FWHM at Mn Kα (5.9 keV), eV: 'measured' (default) fits it on the "
            "spectrum's strong K lines, as insitu-tem eds does; type a value to impose it"
        )
        self.false_alarm = QDoubleSpinBox()
        self.false_alarm.setRange(*FALSE_ALARM_RANGE)
        self.false_alarm.setDecimals(4)
        self.false_alarm.setSingleStep(0.005)
        self.false_alarm.setValue(DEFAULT_FALSE_ALARM)
        self.false_alarm.setToolTip(
            "False lines allowed per spectrum (sets the significance a line needs; default 0.01)"
        )
        for box in (self.resolution, self.false_alarm):
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda _value: self.changed.emit(self.values()))
        self.kfactors = QLineEdit()
        self.kfactors.setPlaceholderText("k: Si=1, O=1.9")
        self.kfactors.setMaximumWidth(120)
        self.kfactors.setToolTip(
            "Cliff–Lorimer k-factors of the at.% column, ELEMENT=k (1 for an element not typed; "
            "with every k 1 the column is a ratio of line intensities, not a composition)"
        )
        self.kfactors.editingFinished.connect(self._kfactors_typed)
        self.used = QLabel("")
        self.used.setToolTip("What the identification shown was computed with")
        self.table_button = QPushButton("Export table…")
        self.table_button.setToolTip(
            "Write the table and composition: JSON (as insitu-tem eds --identify) or CSV"
        )
        self.maps_button = QPushButton("Export maps…")
        self.maps_button.setToolTip(
            "Write the net-count map of each present element's line and its 1σ as float32 "
            "TIFFs, calibrated in the scan's units, into a folder"
        )
        self.table_button.clicked.connect(self.export_table)
        self.maps_button.clicked.connect(self.export_maps)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (
            QLabel("FWHM"),
            self.resolution,
            QLabel("False lines"),
            self.false_alarm,
            self.kfactors,
            self.used,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.table_button)
        row.addWidget(self.maps_button)
        self.hide()

    def values(self) -> dict:
        """The settings shown: resolution (None: measured), eV, false lines per spectrum and
        k-factors (those typed; {} while what is typed is not ELEMENT=k pairs)."""
        fwhm = self.resolution.value()
        try:
            kfactors = parse_kfactors(self.kfactors.text())
        except ValueError:
            kfactors = {}
        return {
            "resolution_mn_ka_ev": None if fwhm < RESOLUTION_RANGE_EV[0] else float(fwhm),
            "false_alarm": float(self.false_alarm.value()),
            "kfactors": kfactors,
        }

    def _kfactors_typed(self) -> None:
        try:
            parse_kfactors(self.kfactors.text())
        except ValueError as error:
            self.rejected.emit(f"k-factors: {error}")
            return
        self.changed.emit(self.values())

    def show_values(self, values: dict) -> None:
        """Show ``values`` (as :meth:`values` gives them) without emitting."""
        fwhm = values.get("resolution_mn_ka_ev")
        for box, value in (
            (self.resolution, self.resolution.minimum() if fwhm is None else fwhm),
            (self.false_alarm, values.get("false_alarm", DEFAULT_FALSE_ALARM)),
        ):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        kfactors = values.get("kfactors") or {}
        self.kfactors.setText(", ".join(f"{e}={k:g}" for e, k in kfactors.items()))

    def show_used(self, value: dict | None) -> None:
        """Say what the identification ``value`` ("eds.identify" result value) used; empty
        while none is shown."""
        if not value:
            self.used.setText("")
            return
        fwhm = value.get("resolution_mn_ka_ev")
        how = value.get("resolution_source", "")
        source = "measured" if how.startswith("measured") else how if how == "given" else "assumed"
        resolution = "FWHM ?" if fwhm is None else f"FWHM {fwhm:.0f} eV ({source})"
        self.used.setText(
            f"used: {resolution}, {value['false_alarm_per_spectrum']:g} false/spectrum"
        )
