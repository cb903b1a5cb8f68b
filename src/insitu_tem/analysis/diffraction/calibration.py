"""Diffraction-pattern calibration (1/nm per px) from the camera or from a known ring.

A detector pixel of size p at camera length L subtends p/L rad, i.e. a
reciprocal length (p/L)/λ; a ring of known spacing d at radius R px gives
(1/d)/R directly. Ring peaks are searched on the radius in px with
:func:`insitu_tem.analysis.diffraction.ring_peaks.find_ring_peaks` (its ``q_per_A`` fields
then hold radii).
"""

from __future__ import annotations

import math

import numpy as np

from insitu_tem.analysis.crystal.crystallography import electron_wavelength_A


def scale_from_camera_length(
    *, pixel_size_um: float, camera_length_mm: float, energy_kV: float
) -> float:
    """Pattern scale in 1/nm per px from the detector pixel size and camera length.

    Parameters
    ----------
    pixel_size_um : float
        Physical detector pixel (after binning), µm.
    camera_length_mm : float
        Effective camera length, mm.
    energy_kV : float
        Beam energy, kV.
    """
    for name, value in (("pixel_size_um", pixel_size_um), ("camera_length_mm", camera_length_mm)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    angle_rad = pixel_size_um * 1e-6 / (camera_length_mm * 1e-3)
    return angle_rad / (electron_wavelength_A(energy_kV) * 0.1)


def scale_from_ring(*, radius_px: float, d_A: float) -> float:
    """Pattern scale in 1/nm per px that puts a ring of spacing ``d_A`` (Å) at ``radius_px``."""
    if not (math.isfinite(radius_px) and radius_px > 0 and math.isfinite(d_A) and d_A > 0):
        raise ValueError(f"ring radius ({radius_px!r} px) and spacing ({d_A!r} Å) must be positive")
    return 10.0 / d_A / radius_px


def strongest_ring_radius(r_px, intensity, *, r_min_px: float = 8.0) -> float | None:
    """Radius (px) of the strongest ring of a radial profile beyond ``r_min_px``; None when there is
    none.

    Parameters
    ----------
    r_px, intensity : array_like
        Profile radii (px, increasing) and intensity (NaN allowed).
    r_min_px : float
        Ignore the direct beam and its tail inside this radius, px.
    """
    from insitu_tem.analysis.diffraction.ring_peaks import find_ring_peaks

    r = np.asarray(r_px, dtype=float)
    y = np.asarray(intensity, dtype=float)
    finite = np.isfinite(y)
    peaks = find_ring_peaks(r[finite], y[finite], q_min_per_A=r_min_px)
    if not peaks.ok:
        return None
    return float(max(peaks.rings, key=lambda ring: ring.height).q_per_A)
