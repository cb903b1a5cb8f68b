"""Table of FFT spots: spacing in Å and nm, reciprocal length, direction, SNR, hkl, phase, and
the spacing's 1σ."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

from insitu_tem.analysis.hrtem.fft_lattice import Spot, angle_between
from insitu_tem.gui.panels.fft.lattice_value import Shown

HEADERS = ("d (Å)", "d (nm)", "g (1/Å)", "angle (°)", "SNR", "hkl", "phase", "σ d (Å)")


def format_hkl(hkl) -> str:
    return "" if hkl is None else "(" + " ".join(str(v) for v in hkl) + ")"


class FftSpotTable(QTableWidget):
    """One row per spot (strongest first); ``px`` columns when the image is uncalibrated (and no
    d (nm) column)."""

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setDefaultSectionSize(18)
        self.horizontalHeader().setStretchLastSection(True)

    def set_measurement(self, measurement: Shown, *, calibrated: bool) -> None:
        spots = measurement.spots
        self.setRowCount(len(spots))
        self.setHorizontalHeaderLabels(
            HEADERS if calibrated else ("d (px)", "", "g (1/px)") + HEADERS[3:-1] + ("σ d (px)",)
        )
        self.setColumnHidden(1, not calibrated)
        scale = 10.0 if calibrated else 1.0
        for row, (spot, (phase, hkl)) in enumerate(zip(spots, measurement.assignments)):
            if calibrated:
                values = (f"{spot.d_A:.4f}", f"{spot.d_nm:.5f}", f"{spot.g_per_A:.5f}")
            else:
                values = (f"{spot.d_nm:.3f}", "", f"{spot.g_per_nm:.5f}")
            values += (f"{spot.angle_deg:.2f}", f"{spot.snr:.0f}", format_hkl(hkl), phase or "")
            values += ("" if math.isnan(spot.sigma_d_nm) else f"{scale * spot.sigma_d_nm:.4f}",)
            for column, text in enumerate(values):
                self.setItem(row, column, QTableWidgetItem(text))

    def column_texts(self, column: int) -> list[str]:
        return [self.item(row, column).text() for row in range(self.rowCount())]


def lattice_summary(m: Shown, *, calibrated: bool) -> str:
    """One line: refined spacings ± σ, angle, best phase match and spots indexed."""
    fit, unit, scale = m.fit, ("Å" if calibrated else "px"), (10.0 if calibrated else 1.0)
    if not fit.ok:
        return f"lattice: {fit.reason.removeprefix('lattice ')}"
    text = f"lattice: d₁ = {scale * fit.d_a_nm:.4f} ± {scale * fit.sigma_d_a_nm:.4f} {unit}"
    if fit.two_dimensional:
        text += (
            f", d₂ = {scale * fit.d_b_nm:.4f} ± {scale * fit.sigma_d_b_nm:.4f} {unit}, "
            f"angle {fit.angle_deg:.2f} ± {fit.sigma_angle_deg:.2f}°"
        )
    best = m.value["best_match"]
    if best is not None:
        zone = f" [{''.join(str(v) for v in best['zone_axis'])}]" if best["zone_axis"] else ""
        text += f"   best match: {best['phase']}{zone}" + (
            " (ambiguous)" if best["ambiguous"] else ""
        )
    return text + f"   ({fit.n_indexed} spots indexed)"


def pick_readout(picked: list[Spot], *, calibrated: bool) -> str:
    """Readout of the clicked spots: d ± 1σ (Å and nm), g, direction, SNR; angle between two."""
    if not picked:
        return "Click a spot in the FFT for d and angle; click two for the angle between them."
    parts = []
    for i, s in enumerate(picked, 1):
        if calibrated:
            sigma = "" if math.isnan(s.sigma_d_nm) else f" ± {10 * s.sigma_d_nm:.4f}"
            parts.append(
                f"spot {i}: d = {s.d_A:.4f}{sigma} Å ({s.d_nm:.5f} nm), g = {s.g_per_A:.5f} 1/Å, "
                f"angle {s.angle_deg:.2f}°, SNR {s.snr:.0f}"
            )
        else:
            parts.append(f"spot {i}: d = {s.d_nm:.3f} px, angle {s.angle_deg:.2f}°")
    if len(picked) == 2:
        parts.append(f"angle between spots = {angle_between(*picked):.2f}°")
    return "   ".join(parts)


def spot_zoom_half_width(m: Shown, *, nyquist: float, margin: float = 1.3) -> float:
    """Half-width of the FFT view (view units) that shows the lattice's reflections.

    Spots indexed by the refined lattice with |h| + |k| ≤ 3 (else the six strongest
    spots) fit with ``margin``; never beyond Nyquist. View units are those of ``g_per_nm``
    (1/nm, or 1/px for an uncalibrated image measured with a 1-px pixel).
    """
    fit, spots = m.fit, m.spots
    low = [s for s, (h, k) in zip(spots, fit.indices) if 0 < abs(h) + abs(k) <= 3] if fit.ok else []
    chosen = low or sorted(spots, key=lambda s: -s.snr)[:6]
    if not chosen:
        return nyquist
    return float(min(margin * max(s.g_per_nm for s in chosen), nyquist))


def candidates_text(candidates) -> str:
    """Phases that index the lattice if the pixel size is off (see ``scaled_candidates``)."""
    if not candidates:
        return ""
    parts = [
        f"{c.phase} ×{c.factor:.3f} ({format_hkl(c.hkl_a)}/{format_hkl(c.hkl_b)})"
        for c in candidates[:4]
    ]
    return "lattice also indexes as (pixel-size factor): " + ", ".join(parts)
