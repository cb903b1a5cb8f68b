"""The FFT panel's spectrum with its spots: the power spectrum with short spot labels, the spot
table and lattice line drawn from a lattice measurement (fresh or read back from the session's
"fft" result), the spots the user clicks (d, angle, angle between two), and the panel emptied
when its image closes."""

from __future__ import annotations

from PySide6.QtCore import QObject

from insitu_tem.analysis.hrtem.fft_lattice import Spot
from insitu_tem.core.model import Axis
from insitu_tem.gui.panels.fft.lattice_value import Shown
from insitu_tem.gui.panels.fft.region import lattice_text
from insitu_tem.gui.panels.fft.spot_table import (
    format_hkl,
    lattice_summary,
    pick_readout,
    spot_zoom_half_width,
)

PICK_RADIUS_PX = 12


class FftSpots(QObject):
    """Draws a :class:`Shown` lattice on an :class:`FftPanel` and handles its spot picks."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self.panel = panel
        jobs = panel.jobs
        jobs.measured.connect(self.show)
        jobs.picks_changed.connect(self._picks_changed)
        jobs.closed.connect(self.clear)
        panel.fft_view.clicked.connect(self._on_fft_clicked)

    def k_axis(self, side: int) -> Axis:
        """Spatial-frequency axis of a ``side``-px spectrum (1/nm, or 1/px uncalibrated)."""
        pixel_nm, calibrated = self.panel.pixel_nm()
        step = 1.0 / (side * pixel_nm)
        return Axis("k", side, step, -step * (side // 2), "1/nm" if calibrated else "1/px")

    def view_position(self, spot: Spot) -> tuple[float, float]:
        step = self.k_axis(self.panel.jobs.shown.spectrum.shape[0]).scale
        return spot.col_px * step, spot.row_px * step

    def show(self, lattice: Shown) -> None:
        """Draw the spectrum, the labelled spots, the table and the lattice line."""
        panel = self.panel
        axis = self.k_axis(lattice.spectrum.shape[0])
        keep = panel.fft_view.axes[0].size == axis.size
        panel.fft_view.set_frame(
            lattice.spectrum.log_power(), axes=(axis, axis), auto_range=None if keep else False
        )
        if not keep:
            half = spot_zoom_half_width(lattice, nyquist=axis.scale * (axis.size // 2))
            panel.fft_view.view.setRange(xRange=(-half, half), yRange=(-half, half), padding=0)
        _, calibrated = panel.pixel_nm()
        short, full = [], []
        for s, (phase, hkl) in zip(lattice.spots, lattice.assignments):
            d = f"{s.d_A:.3f} Å" if calibrated else f"{s.d_nm:.2f} px"
            short.append(format_hkl(hkl) if hkl else d.replace("Å", "").strip())
            full.append(f"{d} {format_hkl(hkl)} {phase or ''}, SNR {s.snr:.0f}")
        panel.spots_overlay.set_spots([self.view_position(s) for s in lattice.spots], short, full)
        panel.spots_overlay.set_picked([])
        panel.table.set_measurement(lattice, calibrated=calibrated)
        summary = lattice_summary(lattice, calibrated=calibrated)
        panel.lattice_label.setText(
            lattice_text(summary, found=lattice.fit.ok, unresolved=panel.unresolved)
        )
        self.update_readout()
        panel.request_filter()
        panel.measurement_shown.emit()

    def clear(self) -> None:
        """The panel's image closed: nothing of it stays (image, ROI, spectrum, spots, lines)."""
        panel = self.panel
        panel.dataset, panel.unresolved = None, ""
        for view in (panel.image_view, panel.fft_view, panel.filtered_view):
            view.clear_frame()
        panel.filtered_view.setVisible(True)
        panel.roi.hide()
        panel.controls.show_no_image()
        panel.navigator.clear()
        panel.crystal.forget()
        panel.spots_overlay.set_spots([], [])
        panel.spots_overlay.set_picked([])
        panel.table.setRowCount(0)
        for label in (panel.readout, panel.lattice_label, panel.candidates_label):
            label.setText("")
        panel.warning_label.setText("")

    def _on_fft_clicked(self, row_f: float, col_f: float) -> None:
        """Pick the marked spot nearest the click (within a few screen pixels), else refine
        there."""
        panel = self.panel
        if panel.jobs.shown is None:
            return
        point = panel.fft_view.index_to_data(row_f, col_f)
        index = panel.spots_overlay.nearest(point.x(), point.y(), radius_px=PICK_RADIUS_PX)
        if index is not None:
            self.pick_index(index)
            return
        centre = panel.jobs.shown.spectrum.centre
        panel.jobs.pick_near(row_f - centre[0], col_f - centre[1])

    def pick_index(self, index: int) -> None:
        shown = self.panel.jobs.shown
        if shown is not None and index < len(shown.spots):
            self.panel.jobs.pick(shown.spots[index])

    def _picks_changed(self) -> None:
        panel = self.panel
        panel.spots_overlay.set_picked([self.view_position(s) for s in panel.jobs.picked])
        self.update_readout()
        panel.request_filter()
        panel.picks_changed.emit()

    def update_readout(self) -> None:
        panel = self.panel
        panel.readout.setText(pick_readout(panel.jobs.picked, calibrated=panel.pixel_nm()[1]))
