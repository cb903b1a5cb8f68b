"""Lattice-fringe delocalisation at a crystal's edge, from the image's known aberrations.

A reflection g's fringes are displaced along g by ``dl = λ |C1 g + C3 λ² g³|`` (Lichte 1991;
C1 = −Δf with Δf positive for underfocus, C3 = Cs): the two Friedel terms of the fringe at g move
by +dl and −dl, so the fringe is seen at full amplitude up to ``dl`` inside the crystal's edge
and at half amplitude (a quarter of the power) from there to ``dl`` beyond it. Where a map of
the visible lattice puts the edge depends on whether that band is detected. Its windows read a
quarter of the interior windows' SNR (:func:`band_detection_probability`). When that is below
the detection threshold the band reads as amorphous and the edge up to ``dl`` inside the
crystal's. When it is above, the band is detected and the edge can read on either side: the
edge windows compare the band's power with the full interior's (a quarter, below the ratio the
edge model puts at the edge: inward, up to ``dl``), but a band wider than the edge windows'
reach, or one lit by another reflection, reads as crystal (outward, up to ``dl``). So the edge
is taken uniform within ``±dl`` of the map's when the band is detected and within ``(−dl, 0)``
when it is not, for every reflection that is a crystalline window's strongest (each with its own
dl: any of them may light the map at an edge); the map is moved by the mean of that mixture
along the dominant reflections (:func:`dominant_reflections`) and the 1σ is the mixture's
(:func:`delocalised_map`). On the generated corpus every crystal's band is detected (interior
SNR 100–10 000 against a threshold of 12): the map is not moved and the 1σ is the ``±dl``
range's (docs/fft.md, session 19). Without Δf and Cs the delocalisation is not included (at Cs
1.2 mm and 300 kV it is 0.5–3 nm for 0.15–0.6 nm spacings at 40–70 nm from focus; with a
corrector below 0.15 nm).

References
----------
Lichte, H. (1991). Optimum focus for taking electron holograms. Ultramicroscopy 38, 13-22.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.crystal.crystallography import electron_wavelength_A
from insitu_tem.analysis.hrtem.crystallinity_boundary import (
    drop_isolated,
    equivalent_diameter_px,
    interior_windows,
)


@dataclass(frozen=True)
class Imaging:
    """Aberrations of the image, as the file's metadata or the user give them.

    Attributes
    ----------
    defocus_nm : float
        Defocus Δf, nm (positive underfocus; C1 = −Δf).
    cs_mm : float
        Spherical aberration C3, mm.
    energy_kev : float
        Beam energy, keV.
    """

    defocus_nm: float
    cs_mm: float
    energy_kev: float


def delocalisation_nm(g_per_nm: float, imaging: Imaging) -> float:
    """Fringe displacement ``λ |−Δf g + Cs λ² g³|`` of a reflection of ``g_per_nm`` (1/nm), nm."""
    wavelength = electron_wavelength_A(imaging.energy_kev) / 10.0
    cs = imaging.cs_mm * 1e6
    return float(
        wavelength * abs(-imaging.defocus_nm * g_per_nm + cs * wavelength**2 * g_per_nm**3)
    )


def folded_reflections(g_rc: np.ndarray) -> np.ndarray:
    """The distinct (row, col) reflections, 1/nm, of ``g_rc`` ((n, 2)), Friedel mates as one (the
    one with a positive first non-zero component)."""
    flip = (g_rc[:, 0] < 0) | ((g_rc[:, 0] == 0) & (g_rc[:, 1] < 0))
    return np.unique(np.where(flip[:, None], -g_rc, g_rc), axis=0)


def dominant_reflections(g_rc: np.ndarray, *, tolerance_per_nm: float) -> np.ndarray:
    """(k, 2) (row, col) reflections, 1/nm, of the family most often the strongest among windows
    (``g_rc`` is (n, 2)): the most frequent one and every other of them within
    ``tolerance_per_nm`` of its length (its symmetry equivalents, equally strong and displaced
    alike), the most frequent first. Friedel mates count as one (the one with a positive first
    non-zero component)."""
    flip = (g_rc[:, 0] < 0) | ((g_rc[:, 0] == 0) & (g_rc[:, 1] < 0))
    folded = np.where(flip[:, None], -g_rc, g_rc)
    values, counts = np.unique(folded, axis=0, return_counts=True)
    values = values[np.argsort(-counts, kind="stable")]
    lengths = np.hypot(*values.T)
    return values[np.abs(lengths - lengths[0]) <= tolerance_per_nm]


def _element(shifts_px: np.ndarray) -> np.ndarray | None:
    shifts = np.atleast_2d(np.asarray(shifts_px, float))
    steps = int(np.ceil(np.abs(shifts).max())) if shifts.size else 0
    if steps == 0:
        return None
    line = np.linspace(-1.0, 1.0, 2 * steps + 1)
    offsets = np.rint(line[None, :, None] * shifts[:, None, :]).astype(int).reshape(-1, 2)
    size = 2 * np.abs(offsets).max(axis=0) + 1
    element = np.zeros(size, bool)
    element[tuple((offsets + size // 2).T)] = True
    return element


def erode_along(mask: np.ndarray, shifts_px: np.ndarray) -> np.ndarray:
    """``mask`` eroded by the union of the segments from ``−s`` to ``+s`` of every (row, col)
    shift ``s`` of ``shifts_px`` ((k, 2) or (2,), px); the image border does not erode (a crystal
    cut by the field of view is not shrunk there)."""
    element = _element(shifts_px)
    if element is None or not mask.any():
        return mask
    return ndimage.binary_erosion(mask, structure=element, border_value=1)


def dilate_along(mask: np.ndarray, shifts_px: np.ndarray) -> np.ndarray:
    """``mask`` dilated by the same segments as :func:`erode_along`."""
    element = _element(shifts_px)
    if element is None or not mask.any():
        return mask
    return ndimage.binary_dilation(mask, structure=element)


def band_detection_probability(
    snr: np.ndarray, threshold: float, *, span: int, bins: float
) -> float:
    """Probability that the half-amplitude band at a crystal's edge is detected (module
    docstring). The band's power is a quarter of the interior's, so its windows read the median
    SNR of the interior windows (:func:`.crystallinity_boundary.interior_windows` of the
    detected windows of the ``snr`` grid; the detected ones when none is interior) over 4,
    scattered as :mod:`.crystallinity_boundary` redraws a window's SNR (``bins`` its ``c``);
    the probability is that of clearing ``threshold``."""
    from scipy import stats  # 0.5 CPU s: not at the GUI's start

    detected = drop_isolated(snr >= threshold)
    interior = interior_windows(detected, span)
    inside = snr[interior] if interior.any() else snr[detected]
    background = snr[~detected]
    typical = float(np.median(background)) if background.size else 0.0
    band = float(np.median(inside)) / 4.0
    scatter = math.sqrt(1.0 + 2.0 * max(band - typical, 0.0) / bins)
    return float(stats.norm.cdf((band - threshold) / scatter))


def delocalised_map(
    mask: np.ndarray, dominant_px: np.ndarray, shifts_px: np.ndarray, *, detected: float
) -> tuple[np.ndarray, float, float]:
    """(map, fraction 1σ, domain-size 1σ in px) of a crystalline ``mask`` whose edges read
    within ``±dl`` of the crystal's with probability ``detected``
    (:func:`band_detection_probability`) and within ``(−dl, 0)`` (inside) otherwise (module
    docstring). In units of dl that mixture has mean ``m = −(1 − detected) / 2`` and second
    moment 1/3: ``mask`` is dilated by ``|m|`` times the dominant reflections' segments
    ``dominant_px`` and the 1σ is ``sqrt(1/3 − m²)`` times the change per dl of the maps
    eroded and dilated by every reflection's segment ``shifts_px`` ((k, 2) (row, col), px, each
    along its g)."""
    mean = (detected - 1.0) / 2.0
    middle = dilate_along(mask, np.asarray(dominant_px, float) * abs(mean))
    shifts = np.asarray(shifts_px, float)
    inner, outer = erode_along(middle, shifts), dilate_along(middle, shifts)
    spread = math.sqrt(1.0 / 3.0 - mean**2) / 2.0
    sigma_fraction = float(outer.mean() - inner.mean()) * spread
    sigma_size = (equivalent_diameter_px(outer) - equivalent_diameter_px(inner)) * spread
    return middle, sigma_fraction, float(abs(sigma_size))
