"""The precision floor of a W O2,3 chemical shift on the generated scans: an ideal fit.

The ideal fit knows what no method can: the true single-scattering background under the edge
and the noise-free edge shape. Every low-loss scan is aligned on its ZLP and deconvolved by
Fourier-log three times with the same ZLP fit — the recorded counts, and the generator's
noise-free counts with and without the edge. The true background (noise-free, no edge) is
subtracted from the recorded single scattering, and the noise-free edge of spectrum 0,
moved by linear interpolation, is fitted to what remains in the region the method uses (its
pre-edge window to the end of its fit window), weighted by 1/√counts, with only its shift and
amplitude free. Its errors (shift of spectrum i minus shift of spectrum 0, minus the truth)
are the noise floor of the recorded counts: a method that must also find the background
cannot do better on average.

The information bound (:func:`cramer_rao_sigmas`) needs no deconvolution and no fit. The
detector records a function of the Poisson electron counts N_k of every channel (a fixed gain,
independent read noise, a point-spread), so by the data-processing inequality for Fisher
information (Zamir 1998) the recorded spectrum carries at most the information of N about the
shift s, I = Σ_k (∂λ_k/∂s)² / λ_k over every channel, λ_k the expected electrons (∂λ_k/∂s a
central difference of the generator's spectrum, :func:`validation.eels_corpus._edge_slope`). Knowing the background,
the edge shape, the thickness and the ZLP jitter only adds information, so σ_i = 1/√I_i bounds
the standard deviation of any unbiased estimate of the shift of spectrum i (Cramér 1946), and
√(σ_i² + σ_0²) that of the shift against spectrum 0 (independent spectra). An unbiased
estimator with Gaussian errors — least squares and maximum likelihood at these counts — has a
pooled |error| distribution no narrower than the mixture of |N(0, σ²)| over the spectra
(:func:`efficient_errors`), so its median and 95th percentile cannot be lower than the
mixture's. Without the Gaussian assumption the van Trees inequality (the Bayesian Cramér–Rao
bound, which holds for biased estimators too) bounds the root-mean-square error by
(mean I + J)^-½, J the Fisher information of the prior of shifts (about 1/(1 eV)² for shifts
spread over ±2.5 eV, negligible beside I).

A method must also find the background. With ``background_free`` the bound treats the edge's
amplitude and the coefficients of the method's background model as unknown too — a
single-scattering E^-3 times a quadratic over the method's region, whose raw-count response is
that function convolved with the spectrum's own low loss (∂J/∂c = J ⊗ ∂c to first order in the
Poisson sum) — and keeps the efficient information of the shift, I − I_sn I_nn⁻¹ I_ns. The
ratio of the two bounds is the price of not knowing the background with that model; the
method's distance from the second is its own inefficiency.

References
----------
H. Cramér, *Mathematical Methods of Statistics* (Princeton, 1946), §32.3.
R. Zamir, "A proof of the Fisher information inequality via a data processing argument",
IEEE Trans. Inf. Theory 44, 1246 (1998).
H. L. van Trees, *Detection, Estimation, and Modulation Theory*, Part I (Wiley, 1968), §2.4.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve
from scipy.special import erf

from insitu_tem.analysis.eels import (
    align_zlp,
    auto_background_window,
    default_fit_window,
    fit_zlp,
    fourier_log,
)
from insitu_tem.core.model import Axis
from validation.eels_corpus import Scan

SEARCH_EV = 3.5


def _aligned(scan: Scan, energy: Axis) -> list[np.ndarray]:
    zlp = fit_zlp(scan.spectra, energy)
    return [align_zlp(a, energy, zlp).array for a in (scan.spectra, scan.clean, scan.edge_free)]


def _single_scattering(scan: Scan, energy: Axis) -> tuple[np.ndarray, ...]:
    aligned = _aligned(scan, energy)
    zlp_aligned = fit_zlp(aligned[0], energy)
    return tuple(fourier_log(a, energy, zlp=zlp_aligned).array for a in aligned)


def _ideal_shift(data: np.ndarray, template: np.ndarray, weights: np.ndarray, e: np.ndarray):
    """Least-squares shift (eV) of ``template`` in ``data`` with a free amplitude."""
    step = e[1] - e[0]
    grid = np.arange(-SEARCH_EV, SEARCH_EV + 1e-9, step / 2)
    moved = np.stack([np.interp(e - s, e, template) for s in grid]) * weights
    target = data * weights
    ssr = (target**2).sum() - (moved @ target) ** 2 / np.maximum((moved**2).sum(axis=1), 1e-300)
    best = int(np.clip(np.argmin(ssr), 1, len(grid) - 2))
    left, centre, right = ssr[best - 1 : best + 2]
    curvature = left - 2 * centre + right
    offset = 0.5 * (left - right) / curvature if curvature > 0 else 0.0
    return grid[best] + float(np.clip(offset, -0.5, 0.5)) * step / 2


def _region(scan: Scan, energy: Axis) -> np.ndarray:
    e = energy.coordinates()
    low, high = auto_background_window(scan.edge, energy)[0], default_fit_window(scan.edge)[1]
    return (e >= low) & (e <= min(high, e[-1] - SEARCH_EV))


def ideal_errors(scan: Scan) -> np.ndarray:
    """Errors of the ideal fit (see module docstring) for spectra 1… of a low-loss scan, eV."""
    energy = Axis("E", scan.spectra.shape[1], scan.dispersion_eV, scan.offset_eV, "eV")
    recorded, clean, edge_free = _single_scattering(scan, energy)
    e = energy.coordinates()
    region = _region(scan, energy)
    edge = (clean - edge_free)[:, region]
    weights = 1.0 / np.sqrt(np.maximum(clean[:, region], 1e-3 * clean[:, region].max()))
    data = (recorded - edge_free)[:, region]
    shifts = np.array(
        [_ideal_shift(data[i], edge[0], weights[i], e[region]) for i in range(len(data))]
    )
    return (shifts - shifts[0] - scan.shift_eV)[1:]


def _background_directions(scan: Scan, energy: Axis) -> np.ndarray:
    """Raw-count responses (n_spectra, 4, channels) to the edge's amplitude and to a
    single-scattering background E^-3 · (1, u, u²) added over the method's region."""
    e = energy.coordinates()
    region = _region(scan, energy)
    u = (e - e[region].mean()) / np.ptp(e[region])
    basis = [np.where(region, np.maximum(e, 1.0) ** -3.0 * u**k, 0.0) for k in range(3)]
    zero = int(round(-scan.offset_eV / scan.dispersion_eV))
    n = len(e)
    directions = []
    for electrons, clean, edge_free in zip(scan.electrons, scan.clean, scan.edge_free):
        columns = [clean - edge_free]
        columns += [fftconvolve(electrons, f)[zero : zero + n] for f in basis]
        directions.append(np.stack(columns))
    return np.stack(directions)


def cramer_rao_sigmas(scan: Scan, *, background_free: bool = False) -> np.ndarray:
    """Cramér–Rao 1σ of the shift of spectra 1… against spectrum 0 of a low-loss scan (see the
    module docstring), eV. With ``background_free`` the edge's amplitude and the coefficients of
    the method's background (E^-3 times a quadratic in its region, convolved through the
    spectrum's low loss) are unknown too: the efficient information of the shift."""
    counted = scan.electrons > 0
    inverse = np.where(counted, 1.0 / np.where(counted, scan.electrons, 1.0), 0.0)
    information = (scan.edge_slope**2 * inverse).sum(axis=1)
    if background_free:
        energy = Axis("E", scan.spectra.shape[1], scan.dispersion_eV, scan.offset_eV, "eV")
        nuisance = _background_directions(scan, energy)
        cross = np.einsum("ik,ijk->ij", scan.edge_slope * inverse, nuisance)
        fisher = np.einsum("ijk,ik,ilk->ijl", nuisance, inverse, nuisance)
        information = information - np.einsum(
            "ij,ij->i", cross, np.linalg.solve(fisher, cross[..., None])[..., 0]
        )
    sigma = 1.0 / np.sqrt(information)
    return np.hypot(sigma[1:], sigma[0])


def efficient_errors(sigmas: np.ndarray, n: int = 2000) -> np.ndarray:
    """The (j + ½)/n quantiles of |error| pooled over spectra whose errors are N(0, σ²), eV."""
    sigmas = np.asarray(sigmas, float)
    grid = np.geomspace(1e-4 * sigmas.min(), 6.0 * sigmas.max(), 4000)
    cdf = erf(grid[:, None] / (np.sqrt(2.0) * sigmas[None, :])).mean(axis=1)
    return np.interp((np.arange(n) + 0.5) / n, cdf, grid)
