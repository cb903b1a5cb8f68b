"""The image's voltage, defocus and Cs: fields the user sets (each an undo step) or the file's
metadata fills. With the voltage and Cs the broad ring is measured through the Thon rings (the
defocus fitted to them); with the defocus too, the crystallinity map's 1σ carries the lattice
delocalisation (not included without it)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QWidget

from insitu_tem.analysis.hrtem.crystallinity_delocalisation import Imaging
from insitu_tem.analysis.hrtem.thon_fit import Optics
from insitu_tem.gui.edit_tracking import track_edits

CHOICES = ("kV, Cs not given", "kV, Cs given (Δf fitted)", "kV, Δf, Cs given")
NOT_GIVEN, OPTICS_GIVEN, ALL_GIVEN = range(3)
DEFAULT_KV = 300.0
"""The voltage of an image whose file does not give one, kV."""


class AberrationFields(QWidget):
    """Which of the voltage, defocus and Cs are known, and their values.

    Attributes
    ----------
    known : QComboBox
        One of ``CHOICES``.
    kv : QDoubleSpinBox
        Accelerating voltage, kV (the file's when it has one): the voltage of every measurement
        of the region (the phase matching's delocalisation too), given or not.
    defocus_nm : QDoubleSpinBox
        Defocus Δf, nm, positive underfocus.
    cs_mm : QDoubleSpinBox
        Spherical aberration Cs, mm.

    Signals
    -------
    changed() : a choice or value the measurements use changed
    """

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.known = QComboBox()
        self.known.addItems(CHOICES)
        self.known.setToolTip(
            "Give the voltage and Cs to measure the broad ring through the Thon rings (the "
            "defocus is fitted to them); give the defocus too to take the lattice fringes' "
            "delocalisation across the crystal's edge into the crystallinity map's 1σ"
        )
        self.kv = QDoubleSpinBox(
            minimum=20.0,
            maximum=1500.0,
            value=DEFAULT_KV,
            singleStep=20.0,
            decimals=0,
            suffix=" kV",
        )
        self.kv.setToolTip("Accelerating voltage of the image, kV (the file's when it has one)")
        self.defocus_nm = QDoubleSpinBox(
            minimum=-5000.0, maximum=5000.0, value=0.0, singleStep=5.0, decimals=1, suffix=" nm"
        )
        self.defocus_nm.setToolTip("Defocus Δf of the image, nm, positive underfocus")
        self.cs_mm = QDoubleSpinBox(
            minimum=-10.0, maximum=10.0, value=1.2, singleStep=0.1, decimals=3, suffix=" mm"
        )
        self.cs_mm.setToolTip("Spherical aberration Cs of the image, mm")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.known, self.kv, self.defocus_nm, self.cs_mm):
            row.addWidget(widget)
        self.known.currentIndexChanged.connect(self._enable)
        for field in (self.kv, self.defocus_nm, self.cs_mm):
            field.valueChanged.connect(self.changed)
        self._enable()

    def _enable(self, *_args) -> None:
        for field in (self.kv, self.cs_mm):
            field.setEnabled(self.known.currentIndex() != NOT_GIVEN)
        self.defocus_nm.setEnabled(self.is_given())
        self.changed.emit()

    def is_given(self) -> bool:
        """Whether the defocus is given too (the crystallinity map's delocalisation)."""
        return self.known.currentIndex() == ALL_GIVEN

    def track(self, undo_stack) -> None:
        """Make the user's edits of the fields undo steps on ``undo_stack``."""
        track_edits(
            undo_stack,
            {
                "Change aberrations given": self.known,
                "Change voltage": self.kv,
                "Change defocus": self.defocus_nm,
                "Change Cs": self.cs_mm,
            },
        )

    def optics(self) -> Optics | None:
        """The voltage and Cs when given, else None."""
        if self.known.currentIndex() == NOT_GIVEN:
            return None
        return Optics(self.kv.value(), self.cs_mm.value())

    def imaging(self) -> Imaging | None:
        """The fields as :class:`Imaging` when the defocus is given too, else None."""
        if not self.is_given():
            return None
        return Imaging(
            defocus_nm=self.defocus_nm.value(),
            cs_mm=self.cs_mm.value(),
            energy_kev=self.kv.value(),
        )

    def fill_from(self, metadata: dict) -> None:
        """Take the file's ``beam_energy_kV`` (else ``DEFAULT_KV``), ``defocus_nm`` and ``cs_mm``
        where it has them; given as far as the file gives them (the voltage and Cs, then the
        defocus)."""
        self.kv.setValue(DEFAULT_KV)
        keys = (("beam_energy_kV", self.kv), ("defocus_nm", self.defocus_nm))
        for key, field in (*keys, ("cs_mm", self.cs_mm)):
            if metadata.get(key) is not None:
                field.setValue(float(metadata[key]))
        if metadata.get("cs_mm") is None:
            return
        if metadata.get("defocus_nm") is not None:
            self.known.setCurrentIndex(ALL_GIVEN)
        elif metadata.get("beam_energy_kV"):
            self.known.setCurrentIndex(OPTICS_GIVEN)

    def state(self) -> dict:
        """What the project keeps."""
        return {
            "known": self.known.currentIndex(),
            "kv": self.kv.value(),
            "defocus_nm": self.defocus_nm.value(),
            "cs_mm": self.cs_mm.value(),
        }

    def restore(self, saved: dict | None) -> None:
        """Set the fields from :meth:`state`'s ``saved`` (kept as they are when None; a project
        of session 34 or before keeps ``given`` for the defocus and Cs)."""
        if saved is None:
            return
        self.kv.setValue(float(saved.get("kv", self.kv.value())))
        self.defocus_nm.setValue(float(saved.get("defocus_nm", self.defocus_nm.value())))
        self.cs_mm.setValue(float(saved.get("cs_mm", self.cs_mm.value())))
        known = saved.get("known", ALL_GIVEN if saved.get("given") else NOT_GIVEN)
        self.known.setCurrentIndex(int(known))
