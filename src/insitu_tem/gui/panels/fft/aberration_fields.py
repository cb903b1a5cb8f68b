"""The image's defocus and Cs for the crystallinity map's lattice delocalisation: fields the user
sets (each an undo step) or the file's metadata fills; without them the delocalisation is not in
the map's 1σ."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QWidget

from insitu_tem.analysis.hrtem.crystallinity_delocalisation import Imaging
from insitu_tem.gui.edit_tracking import track_edits

CHOICES = ("Δf, Cs not given", "Δf, Cs given")


class AberrationFields(QWidget):
    """Whether the defocus and Cs are known, and their values.

    Attributes
    ----------
    known : QComboBox
        "not given" (the delocalisation is not in the 1σ) or "given".
    defocus_nm : QDoubleSpinBox
        Defocus Δf, nm, positive underfocus.
    cs_mm : QDoubleSpinBox
        Spherical aberration Cs, mm.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.known = QComboBox()
        self.known.addItems(CHOICES)
        self.known.setToolTip(
            "Give the image's defocus and Cs to take the lattice fringes' delocalisation across "
            "the crystal's edge into the crystallinity map's 1σ (not included without them)"
        )
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
        for widget in (self.known, self.defocus_nm, self.cs_mm):
            row.addWidget(widget)
        self.known.currentIndexChanged.connect(self._enable)
        self._enable()

    def _enable(self, *_args) -> None:
        for field in (self.defocus_nm, self.cs_mm):
            field.setEnabled(self.is_given())

    def is_given(self) -> bool:
        return self.known.currentIndex() == 1

    def track(self, undo_stack) -> None:
        """Make the user's edits of the fields undo steps on ``undo_stack``."""
        track_edits(
            undo_stack,
            {
                "Change aberrations given": self.known,
                "Change defocus": self.defocus_nm,
                "Change Cs": self.cs_mm,
            },
        )

    def imaging(self, metadata: dict) -> Imaging | None:
        """The fields as :class:`Imaging` at the beam energy of the dataset's ``metadata``
        (300 kV when it has none); None when not given."""
        if not self.is_given():
            return None
        return Imaging(
            defocus_nm=self.defocus_nm.value(),
            cs_mm=self.cs_mm.value(),
            energy_kev=float(metadata.get("beam_energy_kV") or 300.0),
        )

    def fill_from(self, metadata: dict) -> None:
        """Take the file's ``defocus_nm`` and ``cs_mm`` where it has them; given when both."""
        for key, field in (("defocus_nm", self.defocus_nm), ("cs_mm", self.cs_mm)):
            if metadata.get(key) is not None:
                field.setValue(float(metadata[key]))
        if metadata.get("defocus_nm") is not None and metadata.get("cs_mm") is not None:
            self.known.setCurrentIndex(1)

    def state(self) -> dict:
        """What the project keeps."""
        return {
            "given": self.is_given(),
            "defocus_nm": self.defocus_nm.value(),
            "cs_mm": self.cs_mm.value(),
        }

    def restore(self, saved: dict | None) -> None:
        """Set the fields from :meth:`state`'s ``saved`` (kept as they are when None)."""
        if saved is None:
            return
        self.defocus_nm.setValue(float(saved.get("defocus_nm", self.defocus_nm.value())))
        self.cs_mm.setValue(float(saved.get("cs_mm", self.cs_mm.value())))
        self.known.setCurrentIndex(int(bool(saved.get("given", False))))
