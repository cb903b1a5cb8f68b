"""Relative thickness t/λ by the log-ratio method, and Fourier-log deconvolution.

Log-ratio (Egerton 2011, §5.1): t/λ = ln(I_t / I_0), with I_0 the counts of
the zero-loss peak integrated up to the first minimum of the smoothed
spectrum above the peak, and I_t all counts of the spectrum.

Fourier-log (Johnson & Spence 1974; Egerton §4.1.1): with J the spectrum
and Z the zero-loss peak cut at that minimum,

    S(E) = I_0 · F⁻¹{ G(ν) · ln[J(ν) / Z(ν)] }

is the single-scattering distribution (counts per channel) reconvolved
with a unit-area Gaussian G of the ZLP's FWHM placed at 0 eV. The high-
energy end is extrapolated with a power law fitted to the last 10 % of the
spectrum, tapered to zero with a cosine over as many channels again (the
transform is twice the spectrum's length), so ln is taken of a smooth,
periodic function; the phase is unwrapped before the inverse transform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra, reshape_nav, smooth
from insitu_tem.analysis.eels.background import fit_background
from insitu_tem.analysis.eels.zlp import ZlpFit, fit_zlp


@dataclass(frozen=True)
class Thickness:
    """Log-ratio thickness of every spectrum.

    Attributes
    ----------
    t_over_lambda : ndarray
        t/λ (navigation shape; NaN without a ZLP).
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
    zlp_counts: np.ndarray
    total_counts: np.ndarray
    zlp_end_eV: np.ndarray
    ok: bool
    reason: str


def _first_minimum(y: np.ndarray, energy: Axis, zlp: ZlpFit) -> np.ndarray:
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
    return candidate.min(axis=1)


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
    end = _first_minimum(y, energy, zlp)
    columns = np.arange(energy.size)[None, :]
    i0 = np.where(columns <= end[:, None], y, 0.0).sum(axis=1)
    total = y.sum(axis=1)
    found = zlp.found.reshape(-1) & (i0 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(found, np.log(total / i0), np.nan)
    return Thickness(
        reshape_nav(tau, nav_shape),
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


def _extrapolated(y: np.ndarray, energy: Axis) -> np.ndarray:
    n = y.shape[1]
    e = energy.coordinates()
    tail = slice(n - max(n // 10, 8), n)
    padded = np.zeros((y.shape[0], 2 * n))
    padded[:, :n] = y
    extra_e = energy.to_value(0) + energy.scale * np.arange(n, 2 * n)
    taper = 0.5 * (1 + np.cos(np.linspace(0, np.pi, n)))
    if e[tail][0] > 0:
        fit = fit_background(y, energy, (e[tail][0], e[tail][-1]))
        extension = np.nan_to_num(fit.evaluate(extra_e))
        scale = y[:, -1:] / np.where(extension[:, :1] > 0, extension[:, :1], 1.0)
        padded[:, n:] = np.clip(extension * scale, 0, None) * taper
    else:
        padded[:, n:] = y[:, -1:] * taper
    return padded


@dataclass(frozen=True)
class LogRatioTerms:
    """The Fourier-domain terms of :func:`fourier_log` (transforms of twice the spectrum's length).

    ``spectrum`` and ``zlp`` are the transforms of the extrapolated spectrum J and of the ZLP Z
    (cut at ``zlp_end``, a channel index, holding ``zlp_counts`` I_0); ``gauss`` is G(ν) with
    the phase that puts 0 eV at its channel, so the single scattering is
    I_0 · F⁻¹{G · ln(J / Z)}.
    """

    spectrum: np.ndarray
    zlp: np.ndarray
    gauss: np.ndarray
    zlp_end: np.ndarray
    zlp_counts: np.ndarray
    fwhm_eV: float


def log_ratio_terms(
    y: np.ndarray, energy: Axis, zlp: ZlpFit, *, fwhm_eV: float | None = None
) -> LogRatioTerms:
    """J, Z and I_0 · G of every row of ``y`` (n_spectra, n_channels); see the module docstring."""
    if not zlp.found.all():
        raise ValueError(f"Fourier-log needs a zero-loss peak in every spectrum: {zlp.reason}")
    end = _first_minimum(y, energy, zlp)
    columns = np.arange(energy.size)[None, :]
    z = np.where(columns <= end[:, None], y, 0.0)
    i0 = z.sum(axis=1)
    width = float(np.nanmedian(zlp.fwhm_eV)) if fwhm_eV is None else float(fwhm_eV)
    sigma = width / (2 * np.sqrt(2 * np.log(2)))
    freq = np.fft.rfftfreq(2 * energy.size, d=energy.scale)
    zero_channel = energy.to_index(0.0)
    gauss = np.exp(
        -2 * (np.pi * freq * sigma) ** 2 - 2j * np.pi * freq * zero_channel * energy.scale
    )
    return LogRatioTerms(
        np.fft.rfft(_extrapolated(y, energy), axis=1),
        np.fft.rfft(np.pad(z, ((0, 0), (0, energy.size))), axis=1),
        gauss,
        end,
        i0,
        width,
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
        np.fft.irfft(terms.gauss[None, :] * log_ratio, n=2 * energy.size, axis=1)[:, : energy.size]
        * terms.zlp_counts[:, None]
    )
    return Deconvolved(
        reshape_nav(ssd, nav_shape),
        energy,
        reshape_nav(np.log(y.sum(axis=1) / terms.zlp_counts), nav_shape),
        terms.fwhm_eV,
    )
