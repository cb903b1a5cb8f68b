"""Electron pair distribution function (ePDF) from a calibrated radial profile.

Steps (Cockayne 2007; Shanmugam et al., SoftwareX 2017 "eRDF Analyser"):

1. with q = 1/d (1/Å) and Q = 2πq, the atomic terms for a composition cᵢ are
   ⟨f²⟩ = Σ cᵢ fᵢ(q)² and ⟨f⟩² = (Σ cᵢ fᵢ(q))² (electron scattering factors,
   Lobato & Van Dyck 2014);
2. the normalisation N and a constant background C are fitted to the tail,
   I(q) ≈ N ⟨f²⟩ + C for q >= ``fit_from_per_A``;
3. the reduced structure function is F(Q) = Q [I - N⟨f²⟩ - C] / (N ⟨f⟩²), multiplied
   by a damping M(Q) — Lorch's sin(πQ/Qmax)/(πQ/Qmax) by default, or exp(-b Q²) — that
   suppresses the termination ripples of the finite Qmax;
4. G(r) = (2/π) ∫ F(Q) M(Q) sin(Q r) dQ over [Qmin, Qmax] (trapezoid rule).

Peaks of G(r) sit at interatomic distances (W-W 2.74 Å in bcc W, Li-O 2.0 Å in Li2O);
resolution is about 2π·1.2/Qmax, so use q_max_per_A >= 2 (Qmax >= 12.6 /Å) when you can.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.crystal.scattering_factors import electron_scattering_factor
from insitu_tem.analysis.diffraction.profile_peaks import local_maxima, prominences

_SHORTEST_BOND_A = 1.0


@dataclass(frozen=True)
class PDFResult:
    """Reduced pair distribution function.

    Attributes
    ----------
    r_A : numpy.ndarray
        Distances in Å.
    G_r : numpy.ndarray
        Reduced PDF G(r) in 1/Å².
    q_per_A : numpy.ndarray
        q = 1/d (1/Å) of the points used.
    reduced_structure : numpy.ndarray
        F(Q) = Q [S(Q) - 1] in 1/Å (before damping), on ``q_per_A``.
    damping : numpy.ndarray
        M(Q) applied to F(Q).
    normalisation : float
        Fitted N (number of atoms in the intensity's units).
    background : float
        Fitted constant C (intensity units).
    peaks_A : tuple of float
        Positions (Å) of the main maxima of G(r) beyond 1 Å (shorter "peaks" are
        normalisation and termination artefacts), increasing.
    """

    r_A: np.ndarray
    G_r: np.ndarray
    q_per_A: np.ndarray
    reduced_structure: np.ndarray
    damping: np.ndarray
    normalisation: float
    background: float
    peaks_A: tuple[float, ...]


def atomic_terms(q_per_A, composition: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(⟨f²⟩, ⟨f⟩²) in Å² on ``q_per_A`` for a composition {element: amount} (normalised here)."""
    if not composition or any(not (math.isfinite(v) and v > 0) for v in composition.values()):
        raise ValueError(
            f"composition {composition!r} needs positive amounts, e.g. {{'Li': 2, 'O': 1}}"
        )
    total = sum(composition.values())
    q = np.asarray(q_per_A, dtype=float)
    f = {element: electron_scattering_factor(element, q) for element in composition}
    mean_f2 = sum(amount / total * f[el] ** 2 for el, amount in composition.items())
    mean_f = sum(amount / total * f[el] for el, amount in composition.items())
    return mean_f2, mean_f**2


def _damping(Q: np.ndarray, Q_max: float, damping) -> np.ndarray:
    if damping == "lorch":
        return np.sinc(Q / Q_max)
    if damping == "none" or damping is None:
        return np.ones_like(Q)
    if isinstance(damping, (int, float)) and math.isfinite(damping) and damping >= 0:
        return np.exp(-float(damping) * Q**2)
    raise ValueError(
        f"damping {damping!r}: use 'lorch', 'none' or a Gaussian b >= 0 in Å² (exp(-b Q²))"
    )


def reduced_pdf(
    q_per_A,
    intensity,
    *,
    composition: dict[str, float],
    q_max_per_A: float,
    q_min_per_A: float = 0.1,
    damping: str | float = "lorch",
    r_max_A: float = 10.0,
    r_step_A: float = 0.01,
    fit_from_per_A: float | None = None,
) -> PDFResult:
    """Reduced PDF G(r) of a radial profile.

    Parameters
    ----------
    q_per_A : array_like
        q = 1/d of the profile in 1/Å, increasing (calibrated).
    intensity : array_like
        Radial intensity, any units, with the beam/detector background removed
        (a residual constant is fitted).
    composition : dict
        Element -> amount, e.g. ``{"W": 1}`` or ``{"Li": 2, "O": 1}``.
    q_max_per_A : float
        Upper end of the Fourier transform, 1/Å (Qmax = 2π q_max).
    q_min_per_A : float
        Lower end, 1/Å; excludes the direct beam (default 0.1, i.e. d < 10 Å).
    damping : "lorch", "none" or float
        Lorch modification function or a Gaussian exp(-b Q²) with b in Å².
    r_max_A, r_step_A : float
        r grid of G(r), Å.
    fit_from_per_A : float, optional
        Start of the tail used to fit N and C; default 0.6 q_max.

    Returns
    -------
    PDFResult
    """
    q = np.asarray(q_per_A, dtype=float)
    y = np.asarray(intensity, dtype=float)
    if q.ndim != 1 or q.shape != y.shape or np.any(np.diff(q) <= 0):
        raise ValueError("q_per_A and intensity must be 1-D, the same length, with q increasing")
    if not (0 <= q_min_per_A < q_max_per_A <= q.max() + 1e-9):
        raise ValueError(
            f"need 0 <= q_min ({q_min_per_A}) < q_max ({q_max_per_A}) <= the profile's "
            f"largest q ({q.max():.3f} /Å)"
        )
    use = (q >= q_min_per_A) & (q <= q_max_per_A) & np.isfinite(y)
    q, y = q[use], y[use]
    mean_f2, mean_f_sq = atomic_terms(q, composition)
    tail = q >= (0.6 * q_max_per_A if fit_from_per_A is None else fit_from_per_A)
    if tail.sum() < 3:
        raise ValueError("fewer than 3 points in the normalisation tail; lower fit_from_per_A")
    (norm, background), *_ = np.linalg.lstsq(
        np.column_stack([mean_f2[tail], np.ones(tail.sum())]), y[tail], rcond=None
    )
    if not norm > 0:
        raise ValueError(
            "the tail does not follow ⟨f²⟩ (fitted normalisation <= 0); "
            "check the calibration, composition and background subtraction"
        )
    Q = 2 * np.pi * q
    reduced = Q * (y - norm * mean_f2 - background) / (norm * mean_f_sq)
    weight = _damping(Q, 2 * np.pi * q_max_per_A, damping)
    r = np.arange(r_step_A, r_max_A + r_step_A / 2, r_step_A)
    G = (2 / np.pi) * np.trapezoid(reduced * weight * np.sin(np.outer(r, Q)), Q, axis=1)
    found = local_maxima(G)
    found = found[prominences(G, found)[0] >= 0.1 * float(np.max(np.abs(G)))]
    peaks = tuple(float(r[i]) for i in found if G[i] > 0 and r[i] >= _SHORTEST_BOND_A)
    return PDFResult(r, G, q, reduced, weight, float(norm), float(background), peaks)
