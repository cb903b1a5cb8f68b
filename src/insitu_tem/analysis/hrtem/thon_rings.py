"""Thon rings in an HRTEM power-spectrum profile: the zeros of the contrast transfer sin χ.

**Why.** A phase-contrast image passes its object through sin χ(k), χ = πλΔf k² + π/2 C_s λ³ k⁴,
so its power spectrum is cut by zeros where χ = nπ. A broad ring read from such a profile may be
a transfer lobe of the background, or the ring shifted by the lobe it sits in; the profile alone
cannot tell (session 34, docs/fft.md), so the ring is declined when Thon rings are seen.

**Test.** The minima of ln P whose prominence exceeds ``MIN_DEPTH_SIGMA`` times the per-bin
scatter of a ring median are the candidate zeros k_j. With u = k², zeros of sin χ satisfy
n = λΔf u + ½ C_s λ³ u² for integers n counted from the origin, so successive zeros are nearly
equally spaced in u (a valley between background and ring, or noise, is not). A run of at least
``MIN_ZEROS`` successive minima is taken for Thon rings when, for some integer n₀ ≥ 0,
n₀ + j = c₁u_j + c₂u_j² (weighted least squares, c₁ > 0) fits every zero within
``MAX_RESIDUAL_SIGMA`` times its 1σ in n, propagated from one FFT bin in k.

References
----------
Thon, F. (1966). Zur Defokussierungsabhängigkeit des Phasenkontrastes bei der
elektronenmikroskopischen Abbildung. *Z. Naturforsch.* 21a, 476–478.
Rohou, A. & Grigorieff, N. (2015). CTFFIND4: fast and accurate defocus estimation from electron
micrographs. *J. Struct. Biol.* 192, 216–221.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_DEPTH_SIGMA = 6.0
MIN_ZEROS = 3
MAX_RESIDUAL_SIGMA = 3.0
_WAVELENGTH_200KV_NM = 0.0025079
_MAX_ORDER = 40
MAX_CS_TERM_NM4 = 0.5 * 2e6 * 0.00418**3
"""|½ C_s λ³| for C_s ≤ 2 mm at 80 kV, nm⁴."""


@dataclass(frozen=True)
class ThonRings:
    """Transfer zeros found in a profile.

    Attributes
    ----------
    zeros_per_nm : tuple of float
        |k| of the zeros, 1/nm.
    first_order : int
        n of the first zero (χ = nπ).
    lambda_defocus_nm2 : float
        |λΔf| from the fit, nm² (the sign is not seen in the profile).
    """

    zeros_per_nm: tuple[float, ...]
    first_order: int
    lambda_defocus_nm2: float

    def reason(self) -> str:
        """Why the ring is not placed, as the user reads it."""
        zeros = ", ".join(f"{k:.2g}" for k in self.zeros_per_nm)
        defocus = self.lambda_defocus_nm2 / _WAVELENGTH_200KV_NM
        return (
            f"Thon rings (transfer zeros at k = {zeros} 1/nm, |defocus| ≈ {defocus:.0f} nm if "
            "200 kV): the ring cannot be told from a transfer lobe; image nearer Scherzer focus"
        )


def _order_patterns(length: int) -> list[np.ndarray]:
    """Orders n_j − n_1 of successive zeros: rising by one, or once turning back (χ passes its
    extremum between two zeros of the same order) and falling by one after."""
    patterns = [np.arange(length, dtype=float)]
    for turn in range(1, length):
        rise = np.arange(turn, dtype=float)
        patterns.append(np.concatenate([rise, rise[-1] - np.arange(length - turn, dtype=float)]))
    return patterns


def _fit_orders(u: np.ndarray, sigma_u: np.ndarray) -> tuple[int, float] | None:
    """First order n₁ and c₁ when n_j = c₁u_j + c₂u_j² (|c₂| ≤ ``MAX_CS_TERM_NM4``) fits every
    zero within ``MAX_RESIDUAL_SIGMA``, None when no order pattern does."""
    design = np.column_stack([u, u**2])
    best = None
    for pattern in _order_patterns(u.size):
        for first in range(1, _MAX_ORDER):
            orders = first + pattern
            coef = np.linalg.lstsq(design, orders, rcond=None)[0]
            for _ in range(2):
                sigma_n = np.maximum(np.abs(coef[0] + 2 * coef[1] * u), 1e-9) * sigma_u
                coef = np.linalg.lstsq(design / sigma_n[:, None], orders / sigma_n, rcond=None)[0]
            sigma_n = np.maximum(np.abs(coef[0] + 2 * coef[1] * u), 1e-9) * sigma_u
            worst = float(np.max(np.abs(design @ coef - orders) / sigma_n))
            physical = coef[0] > 0 and abs(coef[1]) <= MAX_CS_TERM_NM4
            if physical and worst <= MAX_RESIDUAL_SIGMA and (best is None or worst < best[2]):
                best = (first, float(coef[0]), worst)
    return None if best is None else best[:2]


def find_thon_rings(k: np.ndarray, log_power: np.ndarray, sigma: np.ndarray) -> ThonRings | None:
    """Thon rings in a radial profile, None when none are seen (module docstring).

    Parameters
    ----------
    k : numpy.ndarray
        |k| of the profile bins, equally spaced, 1/nm.
    log_power : numpy.ndarray
        ln of the ring-median power.
    sigma : numpy.ndarray
        1σ of ``log_power`` per bin.

    Returns
    -------
    ThonRings or None
    """
    from scipy.signal import find_peaks  # 0.5 CPU s with scipy.stats: not at the GUI's start

    found, props = find_peaks(-log_power, prominence=0.0)
    zeros = found[props["prominences"] > MIN_DEPTH_SIGMA * sigma[found]]
    step = float(k[1] - k[0])
    for length in range(zeros.size, MIN_ZEROS - 1, -1):
        for start in range(zeros.size - length + 1):
            run = k[zeros[start : start + length]]
            fit = _fit_orders(run**2, 2 * run * step)
            if fit is not None:
                return ThonRings(tuple(float(x) for x in run), fit[0], fit[1])
    return None
