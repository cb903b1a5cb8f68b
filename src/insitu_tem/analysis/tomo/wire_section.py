"""Cross-section of a wire lying along the tilt axis from the edges of its aligned projections.

The reconstruction places a wire's outer surface where MLEM has converged to (MLEM-20 leaves it
≈ 0.05 px inside, docs/tomography.md); the projections hold the wire's shadow itself, free of the
missing wedge and of the iterations. At every tilt the profile across the axis, averaged over the
rows that hold the wire, is fitted near both edges of the shadow with the chords of a cylinder of
radius ``R`` about a centre ``c``, integrated over the pixel and blurred by a Gaussian of fitted
width ``b`` (what the alignment's interpolation and the probe spread the edge by)::

    p(s) = a ∫∫ G_b(s − s') Π(s' − s'') 2 √(R² − (s'' − c)²) ds'' ds'

(``Π`` the 1-px box). Only the samples whose chords stay within ``depth_px`` of the surface and
outside the core's shadow are fitted: deeper chords cross the shell's voids, which lower the
profile there and pull ``R`` outwards. ``R`` at each tilt is the half-width of the wire across the
beam; its first harmonics in the tilt, ``R(θ) = R₀ + A cos 2θ + B sin 2θ`` (the support function
of an elliptical section to first order), give the section's area ``π R₀² − 3π (A² + B²)/2``
(``½ ∮ (h² − h′²) dθ``), so a slightly flattened wire is not read as round from the tilts the
wedge leaves.

The 1σ of ``R₀`` is its least-squares error (the residuals' scatter about the harmonics). The
voids' pull is left out of the fit by the depth, not carried in the 1σ: on the 60 development
phantoms (seeds 11–70, docs/tomography.md) ``R₀`` errs by −0.003 ± 0.014 px at the
3-px depth and the least-squares 1σ covers 63 % of it, while a 6-px depth reads +0.017 px larger
(the bias of the deeper band, once half of it in the 1σ).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

_TAPS = np.linspace(-3.0, 3.0, 13)
_WEIGHTS = np.exp(-0.5 * _TAPS**2) / np.exp(-0.5 * _TAPS**2).sum()
_VACUUM_PX = 4.0


@dataclass(frozen=True)
class WireSection:
    """The wire's cross-section from its projections.

    Attributes
    ----------
    area, area_sigma : float
        Area of the section and its 1σ, px².
    radius, radius_sigma : float
        ``R₀`` (module docstring) and its 1σ, px.
    radii : ndarray
        Half-width of the shadow at every tilt, px.
    ok : bool
    reason : str
    """

    area: float
    area_sigma: float
    radius: float
    radius_sigma: float
    radii: np.ndarray
    ok: bool = True
    reason: str = ""


def _primitive(u: np.ndarray, radius: float) -> np.ndarray:
    """∫ 2√(R² − u²) du, px²."""
    u = np.clip(u, -radius, radius)
    return u * np.sqrt(np.maximum(radius**2 - u**2, 0.0)) + radius**2 * np.arcsin(u / radius)


def _chords(params: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel-integrated chords at every tap (``F(u + ½) − F(u − ½)``) and the chords and
    ``2R arcsin(u/R)`` at the pixel's two sides, (n, taps) each."""
    _, centre, radius, blur = params
    u = s[:, None] - centre - _TAPS[None, :] * blur
    sides = np.stack([u + 0.5, u - 0.5])
    inside = np.clip(sides, -radius, radius)
    chord = 2 * np.sqrt(np.maximum(radius**2 - inside**2, 0.0))
    return _primitive(sides[0], radius) - _primitive(sides[1], radius), chord, inside


def _profile(params: np.ndarray, s: np.ndarray) -> np.ndarray:
    return params[0] * _chords(params, s)[0] @ _WEIGHTS


def _jacobian(params: np.ndarray, s: np.ndarray) -> np.ndarray:
    """∂ profile / ∂ (a, c, R, b): ``dF/du`` is the chord, ``dF/dR = 2R arcsin(u/R)``."""
    amplitude, _, radius, _ = params
    integrated, chord, inside = _chords(params, s)
    d_u = chord[1] - chord[0]
    d_radius = 2 * radius * np.diff(np.arcsin(inside[::-1] / radius), axis=0)[0]
    return np.stack(
        [
            integrated @ _WEIGHTS,
            amplitude * d_u @ _WEIGHTS,
            amplitude * d_radius @ _WEIGHTS,
            amplitude * (d_u * _TAPS) @ _WEIGHTS,
        ],
        axis=1,
    )


def _half_width(profile: np.ndarray, s: np.ndarray, core_px: float, depth_px: float) -> float:
    """Fitted ``R`` of one tilt's profile (module docstring); NaN when the band is too thin."""
    inside = profile > 0.05 * profile.max()
    if inside.sum() < 3:
        return float("nan")
    centre = float(np.sum(s * profile) / profile.sum())
    radius = float(np.ptp(s[inside]) / 2)
    params = np.array([profile.max() / (2 * radius), centre, radius, 0.3])
    for _ in range(3):
        r = np.abs(s - params[1])
        band = (r > core_px) & (r > params[2] - depth_px) & (r < params[2] + _VACUUM_PX)
        if np.count_nonzero(band & (r < params[2])) < 4:
            return float("nan")
        params = least_squares(
            lambda p: _profile(p, s[band]) - profile[band],
            params,
            jac=lambda p: _jacobian(p, s[band]),
            bounds=([0, -np.inf, 1.0, 0.0], [np.inf, np.inf, s.size, 1.0]),
        ).x
    return float(params[2])


def _harmonics(tilts_deg: np.ndarray, radii: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    theta = np.deg2rad(tilts_deg)
    design = np.stack([np.ones_like(theta), np.cos(2 * theta), np.sin(2 * theta)], axis=1)
    coef, *_ = np.linalg.lstsq(design, radii, rcond=None)
    scatter = np.sum((radii - design @ coef) ** 2) / max(radii.size - 3, 1)
    return coef, scatter * np.linalg.inv(design.T @ design)


def wire_section(
    projections: np.ndarray,
    tilts_deg: np.ndarray,
    rows: np.ndarray,
    *,
    core_radius_px: float,
    depth_px: float = 3.0,
) -> WireSection:
    """Area of the wire's cross-section from its aligned projections (module docstring).

    Parameters
    ----------
    projections : ndarray
        (n_tilts, y, x) projections in the axis frame (tilt axis along the rows), linear in
        density, vacuum at zero.
    tilts_deg : ndarray
        Tilt of every projection, degrees.
    rows : ndarray
        (y,) bool, the rows that hold the wire.
    core_radius_px : float
        Radius of the core's shadow, px; the fit keeps 2 px outside it.
    depth_px : float
        Depth under the surface the fitted chords reach, px.

    Returns
    -------
    WireSection
        ``ok=False`` with the reason when fewer than five tilts are fitted.
    """
    tilts = np.asarray(tilts_deg, float)
    profiles = np.asarray(projections, np.float64)[:, rows, :].mean(axis=1)
    s = np.arange(profiles.shape[1]) - (profiles.shape[1] - 1) / 2
    radii = np.array([_half_width(p, s, core_radius_px + 2.0, depth_px) for p in profiles])
    good = np.isfinite(radii)
    if good.sum() < 5:
        return WireSection(*(float("nan"),) * 4, radii, False, _THIN)
    (radius, a, b), covariance = _harmonics(tilts[good], radii[good])
    sigma = float(np.sqrt(covariance[0, 0]))
    area = np.pi * radius**2 - 1.5 * np.pi * (a**2 + b**2)
    return WireSection(float(area), float(2 * np.pi * radius * sigma), float(radius), sigma, radii)


_THIN = (
    "the wire's shadow has fewer than four samples outside the core's within the fitted depth at "
    "most tilts (a shell thinner than ≈ 5 px, or no wire along the tilt axis)"
)
