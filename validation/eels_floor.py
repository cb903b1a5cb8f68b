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

The information bound (:func:`cramer_rao_sigmas`) needs no deconvolution and no fit: the
Cramér–Rao 1σ of the shift of a known edge on a known background in the recorded counts,
ZLP-aligned but not deconvolved, σ² = 1 / Σ_k (∂μ_k/∂E)² / v_k, with μ the noise-free edge as
recorded (convolved through the spectrum's own low loss) and v the variance of the counts before
the detector point-spread (the local mean square of the recorded minus noise-free counts,
divided by the point-spread's variance reduction Σ h², h the Gaussian whose lag-1 correlation
matches the residuals'). The shift of spectrum i against spectrum 0 has σ = √(σ_i² + σ_0²); an
unbiased method — a forward model that fits the measured spectrum as background plus the
reference edge convolved with the probe's low loss included — cannot have a smaller variance,
so its median |error| cannot fall below about 0.67 σ.

References
----------
H. Cramér, *Mathematical Methods of Statistics* (Princeton, 1946), §32.3.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d, uniform_filter1d

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


def _psf_variance_ratio(residual: np.ndarray) -> float:
    """Σ h² of the unit-area Gaussian h whose lag-1 correlation matches the residuals'."""
    lag1 = float(np.mean(residual[:, 1:] * residual[:, :-1]) / np.mean(residual**2))
    impulse = np.zeros(41)
    impulse[20] = 1.0
    best = (np.inf, 1.0)
    for sigma in np.linspace(0.0, 3.0, 301):
        h = gaussian_filter1d(impulse, sigma) if sigma > 0 else impulse
        rho = float((h[1:] * h[:-1]).sum() / (h**2).sum())
        best = min(best, (abs(rho - lag1), float((h**2).sum())))
    return best[1]


def cramer_rao_sigmas(scan: Scan) -> np.ndarray:
    """Cramér–Rao 1σ of the shift of spectra 1… against spectrum 0 of a low-loss scan (see
    module docstring), eV."""
    energy = Axis("E", scan.spectra.shape[1], scan.dispersion_eV, scan.offset_eV, "eV")
    recorded, clean, edge_free = _aligned(scan, energy)
    region = _region(scan, energy)
    residual = (recorded - clean)[:, region]
    variance = uniform_filter1d(residual**2, 25, axis=1) / _psf_variance_ratio(residual)
    slope = np.gradient((clean - edge_free)[:, region], scan.dispersion_eV, axis=1)
    sigma = 1.0 / np.sqrt((slope**2 / np.maximum(variance, 1e-12)).sum(axis=1))
    return np.hypot(sigma[1:], sigma[0])
