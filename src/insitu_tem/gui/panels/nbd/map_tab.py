"""The NBD panel's map of a 2-D scan (a 4D-STEM raster): virtual bright-field and annular
dark-field images whose detector is drawn on the pattern and dragged there, and maps of what the
scan analysis measured (strain, crystallinity, phase fractions, a ring's d) at every probe.

A line scan has no map (its profiles are the "Scan" tab); :attr:`NbdMapTab.active` says whether
the open data is a 2-D scan."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from insitu_tem.analysis.diffraction.scan_virtual import trusted_centres
from insitu_tem.analysis.diffraction.virtual_detector import default_detector, virtual_image
from insitu_tem.core.model import Dataset
from insitu_tem.figures.nbd_map import DEFAULT as DEFAULT_MAP
from insitu_tem.gui.panels.nbd.detector_rings import DetectorRings
from insitu_tem.gui.panels.nbd.map_quantities import (
    RING_D,
    VIRTUAL,
    MapValues,
    map_values,
    quantities,
)
from insitu_tem.gui.panels.nbd.scan_map import NbdScanMap

LIVE_VOXELS = 4e7
"""A virtual image is recomputed while a ring is dragged when the scan holds fewer values than
this (else when the ring is released)."""


class NbdMapTab(QWidget):
    """What to map, the map, and what it shows; the detector rings on ``pattern_view``.

    ``known_d`` gives the known ring spacing, Å (the panel's "Known ring d") for the map of the
    ring near it.

    Signals
    -------
    index_picked(int) : a probe clicked on the map
    hovered(str) : the probe under the mouse and its value
    changed() : the user chose another map or released a detector ring (the project state
        changed: the session keeps it, so an exported figure shows this map)
    """

    index_picked = Signal(int)
    hovered = Signal(str)
    changed = Signal()

    def __init__(self, pattern_view, *, known_d=lambda: 2.238, parent=None) -> None:
        super().__init__(parent)
        self.choice = QComboBox()
        self.choice.setToolTip(
            "What the map shows at every probe: a virtual detector image (drag its rings on the "
            "pattern) or a quantity the scan analysis measured"
        )
        self.map = NbdScanMap()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.rings = DetectorRings(pattern_view, self._detector_moved)
        self.patterns: np.ndarray | None = None
        self.scale_per_nm: float | None = None
        self.value: dict | None = None
        self.detector = None
        self.radii: dict[str, tuple[float, float]] = {}
        self.known_d = known_d
        self.wanted = DEFAULT_MAP
        self.in_view = True
        row = QHBoxLayout()
        row.addWidget(QLabel("Map"))
        row.addWidget(self.choice, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.map, 1)
        layout.addWidget(self.note)
        self.choice.currentTextChanged.connect(self._chosen)
        self.map.index_picked.connect(self.index_picked)
        self.map.hovered.connect(self.hovered)

    def _chosen(self, name: str) -> None:
        self.wanted = name
        self.redraw()
        self.changed.emit()

    def known_d_changed(self) -> None:
        """Draw the map of the ring near the known d again (the known d changed)."""
        if self.choice.currentText() == RING_D:
            self.redraw()

    def set_in_view(self, shown: bool) -> None:
        """Whether the tab is the one shown: the detector rings are drawn on the pattern only
        while its virtual image is in view."""
        self.in_view = bool(shown)
        self._place_rings()

    def _place_rings(self) -> None:
        if self.active and self.kind is not None and self.in_view:
            inner, outer = self.radii[self.kind]
            self.rings.show(self._centre_of(self.map.current), inner, outer)
            self.rings.set_visible(True)
        else:
            self.rings.set_visible(False)

    @property
    def active(self) -> bool:
        """True while the open data is a 2-D scan."""
        return self.patterns is not None

    @property
    def kind(self) -> str | None:
        """ "BF" or "ADF" while a virtual image is shown, else None."""
        return next((k for k, name in VIRTUAL.items() if name == self.choice.currentText()), None)

    def set_dataset(self, dataset: Dataset, patterns: np.ndarray) -> None:
        """Map ``dataset`` when it is a 2-D scan (``patterns``: its (n, rows, cols) patterns);
        else no map."""
        nav = dataset.navigation_axes
        self.value = None
        if len(nav) != 2:
            self.patterns = None
            self.rings.set_visible(False)
            return
        self.patterns = patterns
        axis = dataset.signal_axes[-1]
        self.scale_per_nm = float(axis.scale) if axis.units == "1/nm" else None
        self.map.set_scan(nav[0], nav[1])
        self.detector = default_detector(patterns)
        self.radii = {k: self.detector.radii(k) for k in VIRTUAL}
        self._offer(quantities(None))
        self.redraw()

    def show_result(self, value: dict | None) -> None:
        """Map what the scan result ``value`` holds (None: the virtual images only)."""
        if not self.active:
            return
        self.value = value
        if value is not None and value.get("scale_per_nm"):
            self.scale_per_nm = float(value["scale_per_nm"])
        self._offer(quantities(value))
        self.redraw()

    def _offer(self, names: list[str]) -> None:
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItems(names)
        self.choice.setCurrentText(self.wanted if self.wanted in names else names[0])
        self.choice.blockSignals(False)

    def centres(self) -> np.ndarray | None:
        """(n, 2) the fitted beam centre of every probe (None: none trusted, the detector stays
        at the mean pattern's beam)."""
        return trusted_centres(self.value)

    def set_current(self, index: int) -> None:
        """Outline probe ``index`` on the map and centre the rings on its beam."""
        if not self.active:
            return
        self.map.set_current(index)
        self._place_rings()

    def _centre_of(self, index: int):
        centres = self.centres()
        if centres is None or not np.isfinite(centres[index]).all():
            return self.detector.centre_rc
        return tuple(centres[index])

    def redraw(self) -> None:
        """Draw the chosen map."""
        if not self.active:
            return
        self._place_rings()
        if self.kind is not None:
            self._show_virtual()
        elif self.value is not None:
            name = self.choice.currentText()
            shown = map_values(self.value, name, known_d_A=float(self.known_d()))
            units = f" ({shown.units})" if shown.units else ""
            self.map.show_values(shown, name + units)
            self.note.setText(shown.note)

    def _show_virtual(self) -> None:
        kind = self.kind
        inner, outer = self.radii[kind]
        centres = self.centres()
        counts = virtual_image(
            self.patterns,
            centre_rc=self.detector.centre_rc if centres is None else centres,
            inner_px=inner,
            outer_px=outer,
        )
        n = len(counts)
        shown = MapValues(counts, None, "counts", [""] * n, "grey", self._detector_note())
        self.map.show_values(shown, f"{VIRTUAL[kind]} (counts)")
        self.note.setText(shown.note)

    def _detector_note(self) -> str:
        inner, outer = self.radii[self.kind]
        where = (
            "the fitted beam centre of each probe"
            if self.centres() is not None
            else "the beam of the mean pattern, ({:.1f}, {:.1f}) px".format(
                *self.detector.centre_rc
            )
        )
        span = f"{inner:.1f}–{outer:.1f} px" if inner > 0 else f"r < {outer:.1f} px"
        if self.scale_per_nm:
            q = f"{inner * self.scale_per_nm:.3g}–{outer * self.scale_per_nm:.3g} 1/nm"
            span += f" ({q})" if inner > 0 else f" (< {outer * self.scale_per_nm:.3g} 1/nm)"
        text = (
            f"{VIRTUAL[self.kind]}: counts at {span} from {where}; drag the green rings on the "
            "pattern to change the detector"
        )
        if self.detector.reason:
            text += f" (no direct beam on the mean pattern: {self.detector.reason})"
        return text

    def _detector_moved(self, inner: float, outer: float, final: bool) -> None:
        if self.kind is None:
            return
        self.radii[self.kind] = (0.0, outer) if self.kind == "BF" else (inner, outer)
        if final or self.patterns.size < LIVE_VOXELS:
            self._show_virtual()
        if final:
            self.changed.emit()

    def state(self) -> dict:
        """What the map shows and the detector radii (project state)."""
        return {"quantity": self.choice.currentText(), "radii_px": dict(self.radii)}

    def restore(self, saved: dict | None) -> None:
        """Show what :meth:`state` saved."""
        if not saved or not self.active:
            return
        for kind, radii in (saved.get("radii_px") or {}).items():
            if kind in self.radii:
                self.radii[kind] = (float(radii[0]), float(radii[1]))
        self.wanted = str(saved.get("quantity") or self.wanted)
        self._offer([self.choice.itemText(i) for i in range(self.choice.count())])
        self.redraw()
