"""The broad ring of polycrystalline, turbostratic or amorphous material in an HRTEM power
spectrum, and its spacing with a 1σ.

**What the ring position means.** P(|k|) is the median over each one-pixel ring of the power
spectrum: a power *density* per FFT pixel, not the power in the annulus (which carries a further
factor |k|, and k²·P another). The ring position k₀ is the maximum in |k| of the excess
P(|k|) − B(|k|) over the smooth background B, and d = 1/k₀.

**Detection.** In log-log coordinates the lower convex hull of the profile is a background
(power-law decay plus white noise is convex there); a ring is the highest local maximum of the
excess above that hull that exceeds ``ln(e) = 1`` (power 2.7× the background) and is separated
from zero frequency: its FWHM is below its |k| (a bend of the background towards zero frequency
is concave in log-log and leaves a broad excess reaching k → 0).

**Position.** ln P is fitted around the ring with ln(B(k) + A·exp(−(k − k₀)²/2s²)), each bin
weighted by the scatter of a ring median of N pixels of exponentially distributed power,
1/(ln 2·√(N/2)) in ln P (the Friedel mates are not independent). Three background models are
fitted: a power law plus a constant and a quadratic in log-log on ±2.5 FWHM (at least ±10 bins),
and the first on half that window. k₀ is the median of the models' k₀; its 1σ is the median of
their fit errors (each scaled by √χ²ᵣ when χ²ᵣ > 1) in quadrature with the largest distance of a
model's k₀ from the median (the background systematic). σ_d = σ_k / k₀².

**Thon rings.** Without the voltage and Cs, a ring whose profile shows Thon rings is declined
(:mod:`.thon_rings`). With them, the defocus is fitted to the Thon rings (:mod:`.thon_fit`), the
transfer divided out and the ring placed on the corrected profile, its 1σ carrying the shift of
k₀ when the defocus moves by its 1σ or to an alternative. Without significant Thon rings the
ring is read where it is seen, but the transfer of the unmeasured defocus may have moved it:
its 1σ carries how far, over the defoci the profile allows (their likelihood from the per-bin
noise, the Thon fit refitted with the ring as seen) and the true widths a transfer lobe may have
cut to the width seen, a ring seen there may lie; it is declined when that exceeds its half
width.

**Hann window.** Each bin's 1σ and the fit's statistical 1σ take the Hann window's correlation
of neighbouring FFT pixels into account (``RING_MEDIAN_SCATTER``, ``RING_MEDIAN_CORRELATION``),
with or without the optics.

References
----------
Bevington, P. R. & Robinson, D. K. (2003). *Data Reduction and Error Analysis for the Physical
Sciences*, 3rd ed., ch. 8 (non-linear least squares, χ²ᵣ scaling).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage, optimize

from insitu_tem.analysis.diffraction.ring_peaks import lower_hull
from insitu_tem.analysis.hrtem.fft_spectrum import (
    RING_MEDIAN_CORRELATION,
    RING_MEDIAN_SCATTER,
    PowerSpectrum,
    ring_labels,
    ring_medians,
)
from insitu_tem.analysis.hrtem.ring_defocus_spread import position_spread
from insitu_tem.analysis.hrtem.thon_fit import DefocusFit, Optics, fit_defocus, transfer
from insitu_tem.analysis.hrtem.thon_rings import find_thon_rings

RING_MIN_EXCESS = 1.0
MAX_RELATIVE_SIGMA = 0.1
"""A ring whose d has a 1σ above this fraction of d is not placed (too weak or too broad)."""
_FIT_HALF_WIDTHS = 2.5


@dataclass(frozen=True)
class LatticeRing:
    """A broad ring in the power spectrum (``ok`` when one stands out and can be placed).

    Attributes
    ----------
    d_nm : float
        Spacing 1/k₀ at the maximum of the excess power, nm.
    sigma_d_nm : float
        1σ of ``d_nm`` (statistical and background-model terms), nm.
    fwhm_per_nm : float
        Full width at half maximum of the ring excess, 1/nm.
    excess : float
        ln(peak / background) at the maximum.
    reason : str
        Why the ring is not placed (empty when ``ok``).
    defocus_nm, sigma_defocus_nm : float
        Defocus (positive underfocus) fitted to the Thon rings and its 1σ, nm; NaN when the
        optics were not given or the profile shows no Thon rings.
    """

    ok: bool
    d_nm: float = math.nan
    sigma_d_nm: float = math.nan
    fwhm_per_nm: float = math.nan
    excess: float = math.nan
    reason: str = ""
    defocus_nm: float = math.nan
    sigma_defocus_nm: float = math.nan


def _model(params: np.ndarray, k: np.ndarray, x0: float, kind: str) -> np.ndarray:
    """ln of background plus a Gaussian ring, with ``params`` (k₀, ln s, ln A, b...)."""
    k0, log_s, log_a, *b = params
    x = np.log(k) - x0
    if kind == "power":
        background = np.exp(b[0] + b[1] * x) + np.exp(b[2])
    else:
        background = np.exp(b[0] + b[1] * x + b[2] * x**2)
    return np.log(background + np.exp(log_a - 0.5 * ((k - k0) / np.exp(log_s)) ** 2))


def _fit(k, y, sigma, start, kind) -> tuple[float, float] | None:
    """k₀ and its statistical 1σ of one background model, None when the fit fails.

    ``start`` holds k₀, ln s, ln A, and the hull's ln P and log-log slope at k₀."""
    k0, log_s, log_a, level, slope = start
    x0 = math.log(k0)
    p0 = np.array([k0, log_s, log_a, level, slope, level - 3.0 if kind == "power" else 0.0])
    step = k[1] - k[0]
    low = [k[0], math.log(step / 2), -np.inf, -np.inf, -np.inf, -np.inf]
    high = [k[-1], math.log(k[-1] - k[0]), np.inf, np.inf, np.inf, np.inf]
    p0[:2] = np.clip(p0[:2], np.add(low[:2], 1e-9), np.subtract(high[:2], 1e-9))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        fit = optimize.least_squares(
            lambda p: (_model(p, k, x0, kind) - y) / sigma, p0, bounds=(low, high), max_nfev=800
        )
    dof = k.size - p0.size
    inside = k[0] + step < fit.x[0] < k[-1] - step
    if not fit.success or dof < 3 or not inside or not np.all(np.isfinite(fit.jac)):
        return None
    covariance = np.linalg.pinv(fit.jac.T @ fit.jac)
    chi2 = float(np.sum(fit.fun**2)) / dof
    return float(fit.x[0]), float(math.sqrt(max(covariance[0, 0], 0.0) * max(chi2, 1.0)))


def _place(k, y, sigma, hull, peak: int, fwhm: float):
    """k₀ and its 1σ from the three background models around the coarse ``peak`` (None when
    fewer than two fit); the statistical 1σ takes neighbouring bins' noise correlation
    (``RING_MEDIAN_CORRELATION``) into account."""
    x = np.log(k)
    slope = np.gradient(hull, x)[peak]
    log_a = y[peak] + math.log(max(1.0 - math.exp(hull[peak] - y[peak]), 0.05))
    start = (k[peak], math.log(fwhm / 2.355), log_a, hull[peak], slope)
    step = k[1] - k[0]
    wide = np.abs(k - k[peak]) <= max(_FIT_HALF_WIDTHS * fwhm, 10 * step)
    narrow = np.abs(k - k[peak]) <= max(0.5 * _FIT_HALF_WIDTHS * fwhm, 6 * step)
    results = [
        _fit(k[wide], y[wide], sigma[wide], start, "power"),
        _fit(k[wide], y[wide], sigma[wide], start, "quadratic"),
        _fit(k[narrow], y[narrow], sigma[narrow], start, "power"),
    ]
    placed = [r for r in results if r is not None]
    if len(placed) < 2:
        return None
    positions = np.array([r[0] for r in placed])
    k0 = float(np.median(positions))
    stat = float(np.median([r[1] for r in placed]))
    stat *= math.sqrt(1 + 2 * RING_MEDIAN_CORRELATION)
    return k0, math.hypot(stat, float(np.max(np.abs(positions - k0))))


def _fwhm(k: np.ndarray, excess: np.ndarray, peak: int) -> float:
    """Full width (1/nm) of the bins around ``peak`` whose ln excess is within ln 2 of it."""
    half = excess[peak] - math.log(2.0)
    low, high = peak, peak
    while low > 0 and excess[low - 1] > half:
        low -= 1
    while high < len(excess) - 1 and excess[high + 1] > half:
        high += 1
    return float(k[high] - k[low] + (k[1] - k[0]))


def _separated_peak(k: np.ndarray, excess: np.ndarray, min_excess: float) -> int | None:
    """Index of the highest local maximum of ``excess`` above ``min_excess`` whose FWHM is below
    its |k| (a ring, not the bend of the background towards zero frequency), None if none."""
    inner = (excess[1:-1] >= excess[:-2]) & (excess[1:-1] >= excess[2:])
    maxima = np.flatnonzero(np.concatenate([[excess[0] > excess[1]], inner, [True]]))
    for peak in maxima[np.argsort(-excess[maxima])]:
        if excess[peak] < min_excess:
            return None
        if _fwhm(k, excess, int(peak)) < k[peak]:
            return int(peak)
    return None


def _measure(k, log_power, sigma, min_excess: float) -> LatticeRing:
    """The strongest separated ring of a profile (ln P per bin with its 1σ), its k₀ and 1σ
    carried in ``d_nm`` = 1/k₀ and ``sigma_d_nm`` = σ_k/k₀² (module docstring)."""
    if k.size < 8:
        return LatticeRing(False, reason="the region is too small for a ring profile")
    smooth = ndimage.median_filter(log_power, size=5, mode="nearest")
    hull = lower_hull(np.log(k), smooth)
    excess = smooth - hull
    peak = int(np.argmax(excess))
    if excess[peak] < min_excess:
        return LatticeRing(
            False,
            excess=float(excess[peak]),
            reason=f"no ring: the strongest excess is {math.exp(excess[peak]):.1f}× the "
            f"background (needs {math.exp(min_excess):.1f}×)",
        )
    peak = _separated_peak(k, excess, min_excess)
    if peak is None:
        return LatticeRing(
            False,
            excess=float(np.max(excess)),
            reason="no ring: the excess above the background is not separated from zero "
            "frequency (its FWHM exceeds its |k|)",
        )
    fwhm = _fwhm(k, excess, peak)
    placed = _place(k, log_power, sigma, hull, peak, min(fwhm, 0.5 * k[peak]))
    found = dict(fwhm_per_nm=fwhm, excess=float(excess[peak]))
    if placed is None:
        return LatticeRing(False, **found, reason="the ring model does not fit the profile")
    k0, sigma_k = placed
    return LatticeRing(True, d_nm=1.0 / k0, sigma_d_nm=sigma_k / k0**2, **found)


def _without_thon_rings(k, log_power, sigma, min_excess: float) -> LatticeRing:
    """The ring as the profile shows it, declined when Thon rings are seen (:mod:`.thon_rings`),
    measured with the ring medians' scatter and correlation of a Hann-windowed spectrum
    (``RING_MEDIAN_SCATTER``, ``RING_MEDIAN_CORRELATION``)."""
    thon = find_thon_rings(k, log_power, sigma)
    if thon is not None:
        return LatticeRing(False, reason=thon.reason())
    return _measure(k, log_power, RING_MEDIAN_SCATTER * sigma, min_excess)


def _corrected(k, log_power, sigma, noise, transfer_k, min_excess: float) -> LatticeRing:
    """The ring of ln((P − N)/T) over the bins where T ≥ ½ and P exceeds N by 2σ."""
    excess = 1.0 - noise / np.exp(log_power)
    keep = (transfer_k >= 0.5) & (excess > 1.0 - np.exp(-2.0 * sigma))
    corrected = log_power[keep] + np.log(excess[keep] / transfer_k[keep])
    return _measure(k[keep], corrected, sigma[keep] / excess[keep], min_excess)


def _gaussian(ring: LatticeRing) -> tuple[float, float] | None:
    """The ring's k₀ and Gaussian s (1/nm) when it was placed."""
    return (1.0 / ring.d_nm, ring.fwhm_per_nm / 2.355) if ring.ok else None


def _with_shifts(ring: LatticeRing, others: list[LatticeRing]) -> LatticeRing:
    """``ring`` with its 1σ carrying in quadrature the largest shift of k₀ to ``others``."""
    k0 = 1.0 / ring.d_nm
    shift = max((abs(1.0 / other.d_nm - k0) for other in others), default=0.0)
    return replace(ring, sigma_d_nm=math.hypot(ring.sigma_d_nm * k0**2, shift) / k0**2)


def _corrected_at(profile, fit: DefocusFit, defoci, optics: Optics, min_excess: float):
    """The ring with the transfer at each of ``defoci`` (nm) divided out."""
    k = profile[0]
    return [
        _corrected(
            *profile,
            fit.noise,
            transfer(
                k,
                df,
                optics,
                fit.astigmatism_nm,
                amplitude_contrast=fit.amplitude_contrast,
                bin_per_nm=k[1] - k[0],
            ),
            min_excess,
        )
        for df in defoci
    ]


def _marginalised(ring: LatticeRing, fit: DefocusFit, optics: Optics, bin_per_nm: float):
    """The ring where the Thon rings do not pin the defocus: where it is seen, its 1σ carrying
    in quadrature how far the positions consistent with its position and width over the defoci
    the profile allows and the ring's true width lie from there (:func:`.position_spread`: their
    median's distance ⊕ half their 16–84 % range; not moved to their median, whose direction
    rests on a model that leaves the background's transfer out); ok False when that exceeds the
    ring's half width at half maximum. ``fit`` is the Thon fit with this ring in S."""
    if not ring.ok:
        return ring
    k0 = 1.0 / ring.d_nm
    spread = position_spread(k0, ring.fwhm_per_nm, ring.excess, fit, optics, bin_per_nm=bin_per_nm)
    unpinned = "the Thon rings do not pin the defocus (no significant fit)"
    if spread is None:
        return LatticeRing(
            False,
            fwhm_per_nm=ring.fwhm_per_nm,
            excess=ring.excess,
            reason=f"{unpinned} and no ring under the transfer of those it allows is seen here",
        )
    if spread > 0.5 * ring.fwhm_per_nm:
        return LatticeRing(
            False,
            fwhm_per_nm=ring.fwhm_per_nm,
            excess=ring.excess,
            reason=f"{unpinned} and the defoci the profile allows, with the ring's true width "
            "that a transfer lobe may have cut, move the ring by up to "
            f"{100 * spread / k0:.0f} % (1σ), more than its half width",
        )
    sigma_k = math.hypot(ring.sigma_d_nm * k0**2, spread)
    return replace(ring, sigma_d_nm=sigma_k / k0**2)


def _through_thon_rings(k, log_power, sigma, optics: Optics, min_excess: float) -> LatticeRing:
    """The ring with the transfer divided out, Δf fitted to the Thon rings (:mod:`.thon_fit`)
    over the bins up to the last whose power is twice the noise floor (the median of the
    profile's outer quarter), first with the ring of the profile as it is in S, then with the
    ring so found. The 1σ carries in quadrature the largest shift of k₀ when Δf moves by its 1σ
    or to another defocus the Thon rings fit nearly as well; ok False when the ring is not found
    with any of these. Without significant Thon rings, the ring of the profile as it is."""
    floor = np.median(log_power[-max(log_power.size // 4, 1) :])
    signal = np.flatnonzero(log_power > floor + math.log(2.0))
    if signal.size < 8:
        return _without_thon_rings(k, log_power, sigma, min_excess)
    kept = slice(0, int(signal[-1]) + 1)
    profile = (k[kept], log_power[kept], RING_MEDIAN_SCATTER * sigma[kept])
    power = np.exp(profile[1])
    fit = fit_defocus(
        profile[0], power, profile[2], optics, ring=_gaussian(_measure(*profile, 0.0))
    )
    if not fit.significant:
        ring = _without_thon_rings(k, log_power, sigma, min_excess)
        if ring.ok:
            fit = fit_defocus(profile[0], power, profile[2], optics, ring=_gaussian(ring))
        return _marginalised(ring, fit, optics, k[1] - k[0])
    (first,) = _corrected_at(profile, fit, (fit.defocus_nm,), optics, min_excess)
    if first.ok:
        fit = fit_defocus(profile[0], power, profile[2], optics, ring=_gaussian(first))
    found = dict(defocus_nm=fit.defocus_nm, sigma_defocus_nm=fit.sigma_nm)
    defoci = (
        fit.defocus_nm,
        fit.defocus_nm - fit.sigma_nm,
        fit.defocus_nm + fit.sigma_nm,
        *fit.alternatives_nm,
    )
    ring, *others = _corrected_at(profile, fit, defoci, optics, min_excess)
    if not ring.ok:
        return replace(ring, **found)
    if not all(other.ok for other in others):
        return replace(
            ring,
            ok=False,
            **found,
            reason=f"Thon rings overlap the ring: it is not found when the defocus "
            f"({fit.defocus_nm:.0f} ± {fit.sigma_nm:.0f} nm) moves by its 1σ or to another "
            "that fits the Thon rings nearly as well",
        )
    return replace(_with_shifts(ring, others), **found)


def find_ring(
    spectrum: PowerSpectrum, *, min_excess: float = RING_MIN_EXCESS, optics: Optics | None = None
) -> LatticeRing:
    """Strongest broad ring of a power spectrum and its spacing with a 1σ (module docstring).

    Parameters
    ----------
    spectrum : PowerSpectrum
    min_excess : float
        Minimum ln(profile / hull background) at the ring maximum.
    optics : Optics or None
        Voltage and Cs of the objective: the defocus is fitted to the Thon rings and the transfer
        divided out before the ring is measured. None: the ring is declined when Thon rings are
        seen.

    Returns
    -------
    LatticeRing
        ``ok`` False with a ``reason`` when no ring stands out or it cannot be placed.
    """
    labels, n = ring_labels(spectrum)
    profile = ring_medians(spectrum.power, labels, n)
    counts = np.bincount(labels.ravel(), minlength=n)
    step = min(spectrum.k_step_per_nm)
    k = np.arange(n) * step
    use = (np.arange(n) >= 4) & (k <= 0.45 / spectrum.pixel_nm) & (profile > 0)
    if use.sum() < 8:
        return LatticeRing(False, reason="the region is too small for a ring profile")
    sigma = 1.0 / (math.log(2.0) * np.sqrt(np.maximum(counts[use] / 2.0, 1.0)))
    log_power = np.log(profile[use])
    if optics is None:
        ring = _without_thon_rings(k[use], log_power, sigma, min_excess)
    else:
        ring = _through_thon_rings(k[use], log_power, sigma, optics, min_excess)
    if ring.ok and ring.sigma_d_nm > MAX_RELATIVE_SIGMA * ring.d_nm:
        return replace(
            ring,
            ok=False,
            sigma_d_nm=math.nan,
            reason=f"the ring is too weak or broad to place "
            f"(1σ {100 * ring.sigma_d_nm / ring.d_nm:.0f} % of d)",
        )
    return ring
