"""Pixel-size calibration from every indexed reflection of a known lattice.

With a reference phase (e.g. SrTiO3 on [001]) the refined lattice's basis
a*, b* is indexed by the pair of the phase's reflections whose spacing ratio and
angle agree best (a pixel-size error scales every spacing alike, so ratios and
angles do not depend on it; pairs holding the user's reflection, e.g. (100),
first), every low-order spot follows as h·H_a + k·H_b, and the correction is
fitted by least squares over all these reflections:

* isotropic factor ``f`` (multiply the pixel size by it):
  ``ln f = Σ wᵢ ln(d_refᵢ / d_measᵢ) / Σ wᵢ`` with ``wᵢ = (gᵢ / σ_gᵢ)²``; its
  1σ is the weighted standard error, scaled by √χ²_red when the scatter
  (anisotropy, mis-centred spots) exceeds the spot errors;
* anisotropy: the symmetric metric ``S`` with ``gᵢᵀ S gᵢ = 1 / d_refᵢ²``
  (linear least squares in S_rr, S_rc, S_cc); the principal scales
  ``1/√λ`` of S differ by the anisotropy (scan distortion, astigmatic
  projector) along the reported axis.

One pixel size cannot correct an anisotropic image: the corrected spacings of
the reference family then scatter by about ± half the anisotropy around the
reference, which the factor's σ includes.

References
----------
.. [1] Williams, D. B. & Carter, C. B. *Transmission Electron Microscopy*, 2nd
   ed., Springer (2009), ch. 18 (calibrating the camera length and magnification
   on a known crystal).
.. [2] Sanchez, A. M. et al. "Scan distortion correction of atomic-resolution
   STEM images", *Ultramicroscopy* (2006) — anisotropic scan scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.hrtem.fft_lattice import Spot
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit
from insitu_tem.analysis.hrtem.lattice_reference import ReferenceSpacing
from insitu_tem.analysis.crystal.phases import get_phase

MAX_ORDER = 4
INDEX_TOLERANCE = 0.02
ANGLE_TOLERANCE_DEG = 3.0
MAX_SCALE_ERROR = 0.07


@dataclass(frozen=True)
class LatticeCalibration:
    """Pixel-size correction fitted on all indexed reflections of a reference phase.

    Attributes
    ----------
    ok : bool
        False (with ``reason``) when fewer than two reflections could be indexed.
    reason : str
    reference : str
        Phase and reflection the user chose ("SrTiO3 (100)").
    factor, sigma_factor : float
        Multiply the pixel size by ``factor``; its 1σ.
    anisotropy_percent : float
        Relative difference of the principal scales, % (nan with collinear spots).
    anisotropy_axis_deg : float
        Direction (degrees counter-clockwise from +x, y up) along which the image is stretched most.
    rms_residual_percent : float
        RMS of ln(f·d_meas / d_ref) after the isotropic correction, %.
    hkl : tuple of tuple of int
        Reflections used.
    d_measured_nm, d_reference_nm : tuple of float
        Their measured (before correction) and reference spacings, nm.
    """

    ok: bool
    reason: str = ""
    reference: str = ""
    factor: float = math.nan
    sigma_factor: float = math.nan
    anisotropy_percent: float = math.nan
    anisotropy_axis_deg: float = math.nan
    rms_residual_percent: float = math.nan
    hkl: tuple[tuple[int, int, int], ...] = ()
    d_measured_nm: tuple[float, ...] = ()
    d_reference_nm: tuple[float, ...] = ()

    @property
    def message(self) -> str:
        """One sentence for the user."""
        if not self.ok:
            return f"cannot calibrate on {self.reference}: {self.reason}"
        text = (
            f"{self.reference}: {len(self.hkl)} reflections give ×{self.factor:.4f} ± "
            f"{self.sigma_factor:.4f} (residual {self.rms_residual_percent:.2f} %"
        )
        if math.isfinite(self.anisotropy_percent):
            text += (
                f", anisotropy {self.anisotropy_percent:.2f} % along "
                f"{self.anisotropy_axis_deg:.0f}°"
            )
        return text + ")"


@dataclass(frozen=True)
class ScaledCandidate:
    """A phase whose reflections explain the lattice once the pixel size is scaled.

    Attributes
    ----------
    phase : str
    factor : float
        Pixel-size factor that makes the basis spacings agree.
    hkl_a, hkl_b : tuple of int
        Reflections indexing the basis a*, b*.
    angle_error_deg : float
        |measured − reference| angle between a* and b*, degrees.
    """

    phase: str
    factor: float
    hkl_a: tuple[int, int, int]
    hkl_b: tuple[int, int, int]
    angle_error_deg: float


def _basis_pairs(fit: LatticeFit, phase_name: str, scales: tuple[float, float], energy_kV: float):
    """(error, factor, H_a, H_b) of reflection pairs whose spacing ratio and angle match a*, b*."""
    structure = get_phase(phase_name)
    families = structure.reflections(d_min_A=0.5, energy_kV=energy_kV)
    members = [(np.array(h), r.d_A) for r in families for h in structure.equivalents(r.hkl)]
    low, high = scales
    d_a, d_b = 10.0 * fit.d_a_nm, 10.0 * fit.d_b_nm
    for h_a, dh_a in members:
        factor = dh_a / d_a
        if not low <= factor <= high:
            continue
        for h_b, dh_b in members:
            ratio = abs(math.log(factor * d_b / dh_b))
            if ratio > INDEX_TOLERANCE:
                continue
            angle = abs(structure.angle_deg(h_a, h_b) - fit.angle_deg)
            if angle < ANGLE_TOLERANCE_DEG:
                yield ratio / INDEX_TOLERANCE + angle / ANGLE_TOLERANCE_DEG, factor, h_a, h_b, angle


def scaled_candidates(
    fit: LatticeFit,
    *,
    phases: list[str],
    max_scale_error: float = MAX_SCALE_ERROR,
    energy_kV: float = 300.0,
) -> tuple[ScaledCandidate, ...]:
    """Phases that index a 2-D lattice when the pixel size may be off by up to ``max_scale_error``.

    A miscalibrated image shifts every spacing by one factor, so a phase matching
    test must compare spacing ratios and angles; the factor is then reported (nearest 1 first).
    """
    if not fit.two_dimensional:
        return ()
    out = []
    scales = (1.0 - max_scale_error, 1.0 + max_scale_error)
    for name in phases:
        best = min(_basis_pairs(fit, name, scales, energy_kV), key=lambda p: p[0], default=None)
        if best is not None:
            _, factor, h_a, h_b, angle = best
            out.append(
                ScaledCandidate(name, factor, tuple(map(int, h_a)), tuple(map(int, h_b)), angle)
            )
    return tuple(sorted(out, key=lambda c: abs(math.log(c.factor))))


def _indexed(
    fit: LatticeFit, phase_name: str, reference: ReferenceSpacing, energy_kV: float
) -> list[tuple[int, tuple[int, int, int]]]:
    """(spot, hkl) of the lattice's low-order spots, from the reflection pair (H_a, H_b) whose
    spacing ratio and angle best match a*, b* (a pair holding the reference reflection first)."""
    if not fit.two_dimensional:
        return []
    structure = get_phase(phase_name)

    def is_reference(h) -> bool:
        return abs(structure.d_spacing(h) / 10.0 / reference.d_nm - 1.0) < 1e-6

    scales = (1.0 - MAX_SCALE_ERROR, 1.0 + MAX_SCALE_ERROR)
    best = min(
        _basis_pairs(fit, phase_name, scales, energy_kV),
        key=lambda p: p[0] + (0.0 if is_reference(p[2]) or is_reference(p[3]) else 1.0),
        default=None,
    )
    if best is None:
        return []
    h_a, h_b = best[2], best[3]
    return [
        (i, tuple(int(v) for v in h * h_a + k * h_b))
        for i, (h, k) in enumerate(fit.indices)
        if 0 < abs(h) + abs(k) <= MAX_ORDER
    ]


def _anisotropy(g: np.ndarray, d_ref: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    design = np.column_stack([g[:, 0] ** 2, 2 * g[:, 0] * g[:, 1], g[:, 1] ** 2])
    if len(g) < 3 or np.linalg.matrix_rank(design) < 3:
        return math.nan, math.nan
    root = np.sqrt(w)
    s_rr, s_rc, s_cc = np.linalg.lstsq(design * root[:, None], root / d_ref**2, rcond=None)[0]
    values, vectors = np.linalg.eigh(np.array([[s_rr, s_rc], [s_rc, s_cc]]))
    if values[0] <= 0:
        return math.nan, math.nan
    row, col = vectors[:, 1]
    axis = math.degrees(math.atan2(-row, col)) % 180.0
    return 100.0 * (math.sqrt(values[1] / values[0]) - 1.0), axis


def calibrate_on_lattice(
    spots: tuple[Spot, ...],
    fit: LatticeFit,
    reference: ReferenceSpacing,
    *,
    phase: str,
    energy_kV: float = 300.0,
) -> LatticeCalibration:
    """Least-squares pixel-size correction from all reflections of ``phase`` in the spectrum.

    Parameters
    ----------
    spots : tuple of Spot
        Measured spots (see :func:`insitu_tem.analysis.hrtem.lattice_report.lattice_spots`).
    fit : LatticeFit
        Their refined lattice (gives the (h, k) of every spot).
    reference : ReferenceSpacing
        The user's reflection of ``phase`` (its family gives the coarse scale).
    phase : str
        Library phase name.
    energy_kV : float
        Beam energy for the structure factors, kV.

    Returns
    -------
    LatticeCalibration
    """
    if not spots:
        return LatticeCalibration(False, "no spot measured", reference.label)
    used = _indexed(fit, phase, reference, energy_kV)
    if len(used) < 2:
        return LatticeCalibration(
            False,
            f"the lattice does not index as {phase} (spacing ratio within "
            f"{100 * INDEX_TOLERANCE:.0f} %, angle within {ANGLE_TOLERANCE_DEG:.0f}°, pixel size "
            f"within {100 * MAX_SCALE_ERROR:.0f} %)",
            reference.label,
        )
    structure = get_phase(phase)
    g = np.array([spots[i].g_vector for i, _ in used])
    g_len = np.linalg.norm(g, axis=1)
    d_meas = 1.0 / g_len
    d_ref = np.array([structure.d_spacing(hkl) / 10.0 for _, hkl in used])
    sigma_rel = np.array([spots[i].sigma_g_per_nm for i, _ in used]) / g_len
    w = 1.0 / np.maximum(sigma_rel, 1e-6) ** 2
    y = np.log(d_ref / d_meas)
    log_f = float(np.sum(w * y) / np.sum(w))
    residual = y - log_f
    chi2 = float(np.sum(w * residual**2) / max(len(y) - 1, 1))
    sigma_log = math.sqrt(max(chi2, 1.0) / float(np.sum(w)))
    anisotropy, axis = _anisotropy(g, d_ref, w)
    factor = math.exp(log_f)
    return LatticeCalibration(
        True,
        "",
        reference.label,
        factor,
        factor * sigma_log,
        anisotropy,
        axis,
        100.0 * float(np.sqrt(np.mean(residual**2))),
        tuple(tuple(int(v) for v in hkl) for _, hkl in used),
        tuple(float(v) for v in d_meas),
        tuple(float(v) for v in d_ref),
    )
