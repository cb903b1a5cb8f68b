"""Relative thickness t/λ by the log-ratio method, and Fourier-log deconvolution.

Log-ratio (Egerton 2011, §5.1): t/λ = ln(I_t / I_0), with I_0 the counts of
the zero-loss peak integrated up to the first minimum of the smoothed
spectrum above the peak, and I_t all counts of the spectrum. Its 1σ (counting,
the ZLP/inelastic split and the counts beyond the window's end) is
:func:`log_ratio_sigma`.

Fourier-log (Johnson & Spence 1974; Egerton §4.1.1): with J the spectrum
and Z the zero-loss peak cut at that minimum,

    S(E) = I_0 · F⁻¹{ G(ν) · ln[J(ν) / Z(ν)] }

is the single-scattering distribution (counts per channel) reconvolved
with a unit-area Gaussian G of the ZLP's FWHM placed at 0 eV. A spectrum
that stops while plural scattering is still strong (t/λ ≳ 1 on a window
ending a few plasmons up) is not a convolution of Z over one period: J(ν)
winds around 0 where the ratio's true modulus e^(−2t/λ) is small, the
logarithm's phase jumps by 2π and S rings. Both J and Z are therefore
multiplied by D = e^(−αE) before the transforms (zero-padded to twice the
length, no extrapolation): D(E₁ + E₂) = D(E₁)·D(E₂), so D·J = (D·Z) ⊗
exp*(D·S/I_0) holds exactly, and dividing the result by D returns S
convolved with G (the transform of D·G is used). α is the smallest that
leaves the damped counts above the ZLP at most ρ = 0.5 of the damped ZLP's
(0 for a thin specimen): then the damped J/Z is 1 plus a term of modulus
below 1 (Rouché), has no zero to wind around, and its logarithm is that of
the measured channels alone, without a guess beyond the spectrum's end.
(The exponential weighting is the classic device for a causal inverse of a
truncated series, e.g. the damped z-transform; Egerton §4.1.1 extrapolates
the tail instead.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra, reshape_nav, smooth
from insitu_tem.analysis.eels.thickness_sigma import log_ratio_sigma
from insitu_tem.analysis.eels.zlp import ZlpFit, fit_zlp


@dataclass(frozen=True)
class Thickness:
    """Log-ratio thickness of every spectrum.

    Attributes
    ----------
    t_over_lambda : ndarray
        t/λ (navigation shape; NaN without a ZLP).
    t_over_lambda_sigma : ndarray
        Its 1σ (:func:`log_ratio_sigma`; NaN without a ZLP or where the spectrum does not fall
        towards the window's end).
    zlp_counts : ndarray
        I_0, counts.
    total_counts : ndarray
        I_t, counts.
    zlp_end_eV : ndarray
        Upper limit of the ZLP integral (first minimum), eV.
    ok : bool
        True when every spectrum had a ZLP.
    reason : str
        Why some had none.
    """

    t_over_lambda: np.ndarray
    t_over_lambda_sigma: np.ndarray
    zlp_counts: np.ndarray
    total_counts: np.ndarray
    zlp_end_eV: np.ndarray
    ok: bool
    reason: str


def _smoothed_minimum(y: np.ndarray, energy: Axis, zlp: ZlpFit) -> tuple[np.ndarray, np.ndarray]:
    """The smoothed spectra and the channel of their first minimum above the ZLP."""
    position = np.nan_to_num(zlp.position_eV.reshape(-1))
    fwhm = np.nan_to_num(zlp.fwhm_eV.reshape(-1), nan=energy.scale)
    smoothed = smooth(y, max(float(np.nanmedian(fwhm)) / energy.scale / 4, 1.0))
    start = np.clip(
        np.round(energy.to_index(0) + (position + fwhm) / energy.scale).astype(int),
        1,
        energy.size - 2,
    )
    columns = np.arange(energy.size)[None, :]
    rising = np.zeros_like(smoothed, bool)
    rising[:, :-1] = smoothed[:, 1:] > smoothed[:, :-1]
    candidate = np.where(rising & (columns >= start[:, None]), columns, energy.size - 1)
    return smoothed, candidate.min(axis=1)


def log_ratio_thickness(spectra, energy: Axis, *, zlp: ZlpFit | None = None) -> Thickness:
    """t/λ = ln(I_t / I_0) for every spectrum (see module docstring).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Low-loss counts including the whole ZLP.
    energy : Axis
        Energy-loss axis, eV.
    zlp : ZlpFit, keyword-only
        Previous :func:`fit_zlp` result (computed when omitted).
    """
    y, nav_shape = as_spectra(spectra, energy)
    zlp = fit_zlp(y, energy, uncertainty=False) if zlp is None else zlp
    smoothed, end = _smoothed_minimum(y, energy, zlp)
    columns = np.arange(energy.size)[None, :]
    i0 = np.where(columns <= end[:, None], y, 0.0).sum(axis=1)
    total = y.sum(axis=1)
    found = zlp.found.reshape(-1) & (i0 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(found, np.log(total / i0), np.nan)
    sigma = log_ratio_sigma(
        smoothed,
        energy,
        zlp_channel=energy.to_index(0) + zlp.position_eV.reshape(-1) / energy.scale,
        zlp_end=end,
        zlp_counts=i0,
        total_counts=total,
    )
    return Thickness(
        reshape_nav(tau, nav_shape),
        reshape_nav(np.where(found, sigma, np.nan), nav_shape),
        reshape_nav(np.where(found, i0, np.nan), nav_shape),
        reshape_nav(total, nav_shape),
        reshape_nav(np.where(found, energy.to_value(0) + end * energy.scale, np.nan), nav_shape),
        bool(found.all()),
        "" if found.all() else f"no zero-loss peak in {int((~found).sum())} spectra: {zlp.reason}",
    )


@dataclass(frozen=True)
class Deconvolved:
    """Single-scattering distributions from Fourier-log deconvolution.

    Attributes
    ----------
    array : ndarray, shape (..., n_channels)
        Single scattering, counts per channel, on ``energy`` (loss measured
        from each spectrum's ZLP).
    energy : Axis
        Energy axis, eV (same as the input).
    t_over_lambda : ndarray
        ln(I_t / I_0) of each spectrum.
    resolution_fwhm_eV : float
        FWHM of the Gaussian the result is reconvolved with, eV.
    """

    array: np.ndarray
    energy: Axis
    t_over_lambda: np.ndarray
    resolution_fwhm_eV: float


DAMPED_RATIO = 0.5
"""ρ: counts above the ZLP after the damping e^(−αE), as a share of the ZLP's (< 1: Rouché)."""
_DAMPING_BINS, _DAMPING_STEPS, _DAMPING_MAX = 256, 24, 60.0


def damping_per_eV(y: np.ndarray, energy: Axis, zlp_end: np.ndarray) -> np.ndarray:
    """α of every row of ``y``: the smallest ≥ 0 with Σ_above y·e^(−αE) ≤ ρ · Σ_ZLP y·e^(−αE).

    Bisection of α·E_top in [0, 60] (E_top the last channel's loss) on the counts summed in at
    most 256 bins (the ZLP's and the rest apart), 1/eV.
    """
    counts = np.clip(y, 0.0, None)
    above = np.arange(energy.size)[None, :] > zlp_end[:, None]
    starts = np.unique(np.linspace(0, energy.size, _DAMPING_BINS, endpoint=False).astype(int))
    parts = [np.add.reduceat(np.where(m, counts, 0.0), starts, axis=1) for m in (above, ~above)]
    e = energy.coordinates()
    e = np.add.reduceat(e, starts) / np.diff(np.append(starts, energy.size)) - e[-1]
    top = max(float(energy.coordinates()[-1]), energy.scale)

    def excess(alpha: np.ndarray) -> np.ndarray:
        weight = np.exp(-alpha[:, None] * e[None, :])
        return (parts[0] * weight).sum(axis=1) - DAMPED_RATIO * (parts[1] * weight).sum(axis=1)

    low, high = np.zeros(len(y)), np.full(len(y), _DAMPING_MAX / top)
    for _ in range(_DAMPING_STEPS):
        middle = 0.5 * (low + high)
        over = excess(middle) > 0
        low, high = np.where(over, middle, low), np.where(over, high, middle)
    return np.where(excess(np.zeros(len(y))) > 0, high, 0.0)


@dataclass(frozen=True)
class LogRatioTerms:
    """The Fourier-domain terms of :func:`fourier_log` (transforms of twice the spectrum's length).

    ``spectrum`` and ``zlp`` are the transforms of the damped spectrum D·J and of the damped ZLP
    D·Z (Z cut at ``zlp_end``, a channel index, holding ``zlp_counts`` I_0), zero-padded, with
    ``weight`` D = e^(−αE) per spectrum and channel; ``gauss`` is the transform of D·G with the
    phase that puts 0 eV at its channel (per spectrum), so the single scattering is
    I_0 · F⁻¹{gauss · ln(spectrum / zlp)} / D.
    """

    spectrum: np.ndarray
    zlp: np.ndarray
    gauss: np.ndarray
    zlp_end: np.ndarray
    zlp_counts: np.ndarray
    fwhm_eV: float
    weight: np.ndarray


def log_ratio_terms(
    y: np.ndarray, energy: Axis, zlp: ZlpFit, *, fwhm_eV: float | None = None
) -> LogRatioTerms:
    """D·J, D·Z, D·G and I_0 of every row of ``y`` (n_spectra, n_channels); see the module
    docstring."""
    if not zlp.found.all():
        raise ValueError(f"Fourier-log needs a zero-loss peak in every spectrum: {zlp.reason}")
    end = _smoothed_minimum(y, energy, zlp)[1]
    columns = np.arange(energy.size)[None, :]
    z = np.where(columns <= end[:, None], y, 0.0)
    width = float(np.nanmedian(zlp.fwhm_eV)) if fwhm_eV is None else float(fwhm_eV)
    sigma = width / (2 * np.sqrt(2 * np.log(2)))
    alpha = damping_per_eV(y, energy, end)[:, None]
    weight = np.exp(-alpha * energy.coordinates()[None, :])
    freq = np.fft.rfftfreq(2 * energy.size, d=energy.scale)[None, :]
    centre = energy.to_index(0.0) * energy.scale - alpha * sigma**2
    gauss = np.exp(
        0.5 * (alpha * sigma) ** 2 - 2 * (np.pi * freq * sigma) ** 2 - 2j * np.pi * freq * centre
    )
    pad = ((0, 0), (0, energy.size))
    return LogRatioTerms(
        np.fft.rfft(np.pad(y * weight, pad), axis=1),
        np.fft.rfft(np.pad(z * weight, pad), axis=1),
        gauss,
        end,
        z.sum(axis=1),
        width,
        weight,
    )


def fourier_log(
    spectra, energy: Axis, *, zlp: ZlpFit | None = None, fwhm_eV: float | None = None
) -> Deconvolved:
    """Fourier-log deconvolution of every spectrum (see module docstring).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Low-loss counts including the whole ZLP, starting below 0 eV.
    energy : Axis
        Energy-loss axis, eV.
    zlp : ZlpFit, keyword-only
        Previous :func:`fit_zlp` result (computed when omitted).
    fwhm_eV : float, keyword-only
        FWHM of the reconvolution Gaussian, eV; default the median ZLP FWHM.
    """
    y, nav_shape = as_spectra(spectra, energy)
    zlp = fit_zlp(y, energy, uncertainty=False) if zlp is None else zlp
    terms = log_ratio_terms(y, energy, zlp, fwhm_eV=fwhm_eV)
    ratio = terms.spectrum / terms.zlp
    log_ratio = np.log(np.abs(ratio)) + 1j * np.unwrap(np.angle(ratio), axis=1)
    ssd = (
        np.fft.irfft(terms.gauss * log_ratio, n=2 * energy.size, axis=1)[:, : energy.size]
        * terms.zlp_counts[:, None]
        / terms.weight
    )
    return Deconvolved(
        reshape_nav(ssd, nav_shape),
        energy,
        reshape_nav(np.log(y.sum(axis=1) / terms.zlp_counts), nav_shape),
        terms.fwhm_eV,
    )
