"""Simulated ring profiles fitted on a measured NBD profile, and its ePDF.

The default candidates answer the question of the in situ experiment: are the
W clusters behind the front amorphous (~3 Å, unit-cell scale) or coarsened by
the beam into ~3 nm crystals, and is Li2O there? Each Debye-equation profile
(:func:`insitu_tem.analysis.crystal.debye.simulate_ring_profile`) is scaled onto the
measured one with a polynomial background
(:func:`fit_ring_profile`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.diffraction.pdf import PDFResult, reduced_pdf
from insitu_tem.analysis.crystal.debye import RingProfile, simulate_ring_profile

BACKGROUNDS = {"none": 0, "constant": 1, "linear": 2, "poly2": 3, "poly3": 4}
CANDIDATES = (("W", 0.3), ("W", 3.0), ("Li2O", 1.0))
COMPOSITIONS = {
    "W": {"W": 1.0},
    "Li2O": {"Li": 2.0, "O": 1.0},
    "W + 3 Li2O": {"W": 1.0, "Li": 6.0, "O": 3.0},
}


@dataclass(frozen=True)
class RingFit:
    """A simulated profile scaled onto a measured one: measured ≈ scale · simulated + background(q).

    ``background_coefficients`` are polynomial coefficients in q (1/Å), lowest order first;
    ``fitted`` and ``residual`` are on the measured q; ``r_factor`` = ‖residual‖ / ‖measured‖.
    """

    ok: bool
    q_per_A: np.ndarray
    scale: float
    background_coefficients: tuple[float, ...]
    fitted: np.ndarray
    residual: np.ndarray
    r_factor: float
    reason: str = ""


def fit_ring_profile(
    measured_q, measured_I, simulated: RingProfile, *, background: str = "poly2"
) -> RingFit:
    """Fit measured ≈ scale · simulated + polynomial background by linear least squares (scale >=
    0).

    Parameters
    ----------
    measured_q : array_like
        q = 1/d of the measured profile, 1/Å.
    measured_I : array_like
        Measured intensity (any units).
    simulated : RingProfile
        Interpolated onto ``measured_q``; points outside its q range are ignored.
    background : {"none", "constant", "linear", "poly2", "poly3"}
        Polynomial background in q.
    """
    if background not in BACKGROUNDS:
        raise ValueError(f"background {background!r} is not one of {', '.join(BACKGROUNDS)}")
    q = np.asarray(measured_q, dtype=float)
    y = np.asarray(measured_I, dtype=float)
    if q.shape != y.shape or q.ndim != 1:
        raise ValueError("measured_q and measured_I must be 1-D arrays of the same length")
    model = np.interp(q, simulated.q_per_A, simulated.intensity, left=np.nan, right=np.nan)
    use = np.isfinite(model) & np.isfinite(y) & np.isfinite(q)
    n_bg = BACKGROUNDS[background]
    if use.sum() < n_bg + 2:
        return RingFit(
            False,
            q,
            0.0,
            (),
            np.full_like(y, np.nan),
            np.full_like(y, np.nan),
            math.nan,
            reason="the measured and simulated q ranges overlap on too few points; "
            "simulate over the measured q range",
        )
    from scipy.optimize import lsq_linear  # 0.4 CPU s: not at the GUI's start

    design = np.column_stack([model] + [q**k for k in range(n_bg)])
    norm = np.maximum(np.abs(design[use]).max(axis=0), 1e-300)
    lower = np.r_[0.0, np.full(n_bg, -np.inf)]
    solution = lsq_linear(design[use] / norm, y[use], bounds=(lower, np.inf)).x / norm
    fitted = np.where(use, design @ solution, np.nan)
    residual = y - fitted
    r_factor = float(np.sqrt(np.nansum(residual[use] ** 2) / np.sum(y[use] ** 2)))
    return RingFit(
        True,
        q,
        float(solution[0]),
        tuple(float(v) for v in solution[1:]),
        fitted,
        residual,
        r_factor,
    )


@dataclass(frozen=True)
class RingOverlay:
    """One simulated profile fitted on the measured one.

    Attributes
    ----------
    label : str
        e.g. ``"W 0.3 nm"``.
    simulated : RingProfile
        The Debye-equation profile on the measured q grid.
    fit : RingFit
        Scale, background, fitted curve (``fit.fitted``) and R factor.
    """

    label: str
    simulated: RingProfile
    fit: RingFit


@functools.lru_cache(maxsize=32)
def _simulate(name: str, grain_nm: float, q: tuple[float, ...], energy_kV: float) -> RingProfile:
    from insitu_tem.analysis.crystal.phases import get_phase

    return simulate_ring_profile(
        get_phase(name), grain_diameter_nm=grain_nm, q_per_A=np.array(q), energy_kV=energy_kV
    )


def ring_overlays(
    q_per_A, intensity, *, candidates=CANDIDATES, energy_kV: float = 300.0, q_min_per_A: float = 0.2
) -> tuple[RingOverlay, ...]:
    """Fit each candidate (phase name, grain diameter in nm) on a measured profile.

    Parameters
    ----------
    q_per_A, intensity : array_like
        Measured profile, q = 1/d in 1/Å (increasing) and counts.
    candidates : sequence of (str, float)
        Library phase names and grain diameters, nm.
    energy_kV : float
        Beam energy, kV.
    q_min_per_A : float
        Points below this (direct beam) are left out of the fits, 1/Å.
    """
    q = np.asarray(q_per_A, dtype=float)
    y = np.asarray(intensity, dtype=float)
    use = (q >= q_min_per_A) & np.isfinite(y)
    if use.sum() < 10:
        raise ValueError(
            f"only {int(use.sum())} profile points beyond q = {q_min_per_A} 1/Å; calibrate the "
            "pattern"
        )
    grid = tuple(float(v) for v in q[use])
    out = []
    for name, grain in candidates:
        simulated = _simulate(name, float(grain), grid, float(energy_kV))
        out.append(
            RingOverlay(
                f"{name} {grain:g} nm", simulated, fit_ring_profile(q[use], y[use], simulated)
            )
        )
    return tuple(out)


def profile_pdf(
    q_per_A, intensity, *, composition: str = "W + 3 Li2O", q_min_per_A: float = 0.15
) -> PDFResult:
    """Reduced PDF G(r) of a measured profile up to its largest q.

    Parameters
    ----------
    q_per_A, intensity : array_like
        Measured profile (1/Å, counts).
    composition : str
        A key of :data:`COMPOSITIONS`.
    q_min_per_A : float
        Lower end of the transform (direct beam excluded), 1/Å.
    """
    if composition not in COMPOSITIONS:
        raise ValueError(f"composition must be one of {list(COMPOSITIONS)}, got {composition!r}")
    q = np.asarray(q_per_A, dtype=float)
    y = np.asarray(intensity, dtype=float)
    finite = np.isfinite(y)
    return reduced_pdf(
        q[finite],
        y[finite],
        composition=COMPOSITIONS[composition],
        q_max_per_A=float(q[finite].max()),
        q_min_per_A=q_min_per_A,
    )
