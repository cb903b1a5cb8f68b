"""Where a ring seen through the transfer of an unmeasured defocus may truly lie
(`ring_defocus_spread.position_spread`)."""

from __future__ import annotations

import math

import numpy as np

from insitu_tem.analysis.hrtem.ring_defocus_spread import position_spread
from insitu_tem.analysis.hrtem.thon_fit import DefocusFit, Optics, transfer

OPTICS = Optics(kv=200.0, cs_mm=1.0)
BIN = 0.01
EXCESS = 3.0


def _one_defocus(defocus_nm: float) -> DefocusFit:
    """A Thon fit that allows only ``defocus_nm`` (no astigmatism, amplitude contrast 0.07)."""
    return DefocusFit(
        defocus_nm=defocus_nm,
        sigma_nm=1.0,
        astigmatism_nm=0.0,
        amplitude_contrast=0.07,
        alternatives_nm=(),
        noise=np.zeros(1),
        gain=0.0,
        threshold=1.0,
        grid_nm=np.array([defocus_nm]),
        rise=np.zeros(1),
        grid_astigmatism_nm=np.zeros(1),
        grid_amplitude_contrast=np.array([0.07]),
    )


def _seen(k0: float, s: float, defocus_nm: float) -> tuple[float, float]:
    """The maximum and full width at half maximum (1/nm) of a Gaussian ring at ``k0`` with
    width ``s`` times the transfer at ``defocus_nm``."""
    k = np.arange(k0 - 5 * s, k0 + 5 * s, BIN / 20)
    product = np.exp(-0.5 * ((k - k0) / s) ** 2) * transfer(k, defocus_nm, OPTICS)
    peak = int(np.argmax(product))
    below = np.flatnonzero(product < 0.5 * product[peak])
    low, high = below[below < peak].max(), below[below > peak].min()
    return float(k[peak]), float(k[high] - k[low])


def test_a_ring_cut_by_a_narrow_lobe_may_lie_where_the_flank_seen_does_not_show():
    """A ring at 3 1/nm, s 0.3 1/nm, seen through the ~0.3 1/nm wide lobes of Δf 300 nm at
    200 kV: the lobe nearest the ring's centre is seen, narrower than the ring and off its
    centre; the spread of the positions consistent with the seen ring must reach the truth."""
    k0, s, defocus = 3.0, 0.3, 300.0
    seen, fwhm = _seen(k0, s, defocus)
    assert fwhm < 0.7 * 2.355 * s
    spread = position_spread(seen, fwhm, EXCESS, _one_defocus(defocus), OPTICS, bin_per_nm=BIN)
    assert spread is not None
    assert abs(seen - k0) <= 2 * spread


def test_a_ring_inside_a_broad_lobe_is_not_widened_by_rings_the_lobe_would_cut():
    """The same ring through the broad lobe of Δf 57 nm, whose phase is stationary at 3 1/nm
    (T ≈ 0.9 over the ring), is seen at its width; its spread stays well below its half width."""
    k0, s, defocus = 3.0, 0.3, 57.0
    seen, fwhm = _seen(k0, s, defocus)
    assert math.isclose(fwhm, 2.355 * s, rel_tol=0.1)
    spread = position_spread(seen, fwhm, EXCESS, _one_defocus(defocus), OPTICS, bin_per_nm=BIN)
    assert spread is not None
    assert spread < 0.25 * fwhm
    assert abs(seen - k0) <= 2 * spread + BIN
