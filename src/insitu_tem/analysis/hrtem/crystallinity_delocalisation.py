"""Lattice-fringe delocalisation at a crystal's edge, from the image's known aberrations.

A reflection g's fringes are displaced along g by ``dl = λ |C1 g + C3 λ² g³|`` (Lichte 1991;
C1 = −Δf with Δf positive for underfocus, C3 = Cs): the two Friedel terms of the fringe at g move
by +dl and −dl, so the fringe is seen, at about half its amplitude, from ``dl`` inside the
crystal's edge to ``dl`` beyond it along g. A map of where a lattice is visible puts the edge of
normal n̂ between the crystal's and ``dl |ĝ·n̂|`` beyond it where the half-amplitude band is read
as crystal (session 17: a median 0.57 dl outward on one-multislice boundaries at Cs 1.2 mm).
With Δf and Cs known the map is eroded by half the segment of the dominant reflections (the one
most often a window's strongest and its equivalents, :func:`dominant_reflections`), and the edge
is taken uniform within ``±dl/2`` of that for every reflection that is a crystalline window's
strongest (each with its own dl: any of them may light the map at an edge): the maps eroded and
dilated by the union of those half segments differ in fraction and domain size by Δ, 1σ Δ/√12
(:func:`delocalised_map`). A weak crystal whose half-amplitude band is not detected reads inward
instead, which this does not include (docs/fft.md, session 18). Without Δf and Cs the
delocalisation is not included (at Cs 1.2 mm and 300 kV it is 0.5–3 nm for 0.15–0.6 nm spacings
at 40–70 nm from focus; with a corrector below 0.15 nm).

References
----------
Lichte, H. (1991). Optimum focus for taking electron holograms. Ultramicroscopy 38, 13-22.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.crystal.crystallography import electron_wavelength_A
from insitu_tem.analysis.hrtem.crystallinity_boundary import equivalent_diameter_px


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


def delocalised_map(
    mask: np.ndarray, dominant_px: np.ndarray, shifts_px: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """(map, fraction 1σ, domain-size 1σ in px) of a crystalline ``mask`` whose edges read between
    the crystal's and the delocalisation beyond it (module docstring): ``mask`` eroded by half
    the dominant reflections' segments ``dominant_px``, and the 1σ of an edge uniform over
    ``±shifts_px / 2`` about it ((k, 2) (row, col), px, each along its g)."""
    middle = erode_along(mask, np.asarray(dominant_px, float) / 2.0)
    half = np.asarray(shifts_px, float) / 2.0
    inner, outer = erode_along(middle, half), dilate_along(middle, half)
    root12 = np.sqrt(12.0)
    sigma_fraction = float(outer.mean() - inner.mean()) / root12
    sigma_size = (equivalent_diameter_px(outer) - equivalent_diameter_px(inner)) / root12
    return middle, sigma_fraction, float(abs(sigma_size))
