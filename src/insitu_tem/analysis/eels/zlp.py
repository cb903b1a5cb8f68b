"""Zero-loss peak: sub-channel position and FWHM of every spectrum, alignment,
and energy calibration from two known features.

Position: weighted least-squares Gaussian on the logarithm of the counts
around the maximum (Caruana's algorithm with Guo's y² weights), which is
exact for a Gaussian peak and insensitive to the far tails. FWHM: linear
interpolation of the crossings of half the top's height (model-free), corrected for how far that
reads on a top of the measured shape (narrow peaks read up to ~20 % wide uncorrected): midway
between the corrections for a top integrated over channels (a detector) and one sampled at the
channels' middles (a simulation), which the peak's shape cannot tell apart, and between a top of
the measured even departure and a pseudo-Voigt (:mod:`.zlp_voigt`). Both are computed for all
spectra at once.

1σ (:mod:`.zlp_sigma`): the counts' covariance between channels is taken as c(k)·y (Poisson
times a gain at lag 0, so spectra in any units work; a detector's blur correlates neighbouring
channels), with c(0..8) measured away from the peak (:mod:`.zlp_noise`; where no 48 far channels
lie in a row, a gain from the counts' second differences, else from the log fit's residuals).
The centre's is its noise through the sandwich of the weighted fit on log y (var log y = φ/y) plus
in quadrature the shift a top that is not a Gaussian causes at this spectrum's sub-channel
position (the top's shape from the residuals of all spectra). The FWHM's is the crossings' noise
through the correction, in quadrature with the correction's dependence on the shape (its spread
to a Gaussian top's), widened to the half-width holding 68.27 % of a normal error offset by half
the two sampling models' difference ⊕ half the two shape models'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra, channel_range, reshape_nav
from insitu_tem.analysis.eels.zlp_sigma import (
    centre_terms,
    half_width_68,
    noise_gain,
    pooled_gain,
)
from insitu_tem.analysis.eels.zlp_noise import noise_covariance
from insitu_tem.analysis.eels.zlp_width import corrected_width, gather, shape_spread, widths

_MIN_REACH = 3.0


@dataclass(frozen=True)
class ZlpFit:
    """ZLP of every spectrum; arrays have the navigation shape.

    Attributes
    ----------
    position_eV : ndarray
        Fitted peak centre, eV on the given axis (NaN where not found).
    fwhm_eV : ndarray
        Full width at half maximum, eV.
    height : ndarray
        Peak height, counts per channel.
    found : ndarray of bool
        Where a ZLP was found.
    ok : bool
        True when every spectrum has a ZLP.
    reason : str
        Why some were not found ("" when ok).
    position_sigma_eV, fwhm_sigma_eV : ndarray or None
        1σ of ``position_eV`` and ``fwhm_eV``, eV (module docstring; NaN where not found).
    """

    position_eV: np.ndarray
    fwhm_eV: np.ndarray
    height: np.ndarray
    found: np.ndarray
    ok: bool
    reason: str
    position_sigma_eV: np.ndarray | None = None
    fwhm_sigma_eV: np.ndarray | None = None


def _log_gaussian_centre(
    window: np.ndarray, offsets: np.ndarray, half_width: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Centre (channels from the peak channel) and the fit's weights per sample: the samples
    within 1.2 half-widths, and at least the seven within ±3 channels (the shape's two terms
    fitted to the residuals need samples beyond the parabola's three on a narrow peak)."""
    x = offsets[None, :].astype(float)
    positive = window > 0
    reach = np.clip(np.nan_to_num(half_width, nan=2.0) * 1.2, _MIN_REACH, None)[:, None]
    weights = np.where(positive & (np.abs(x) <= reach), window**2, 0.0)
    log_y = np.log(np.where(positive, window, 1.0))
    moments = [np.sum(weights * x**k, axis=1) for k in range(5)]
    rhs = [np.sum(weights * x**k * log_y, axis=1) for k in range(3)]
    matrix = np.stack([np.stack(moments[i : i + 3], axis=-1) for i in range(3)], axis=-2)
    vector = np.stack(rhs, axis=-1)
    solvable = np.abs(np.linalg.det(matrix)) > 0
    matrix[~solvable] = np.eye(3)
    coeffs = np.linalg.solve(matrix, vector[..., None])[..., 0]
    b, c = coeffs[:, 1], coeffs[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.where(solvable & (c < 0), -b / (2 * c), np.nan)
    inside = np.abs(centre) <= 1.5
    return np.where(inside, centre, np.nan), weights


def _sigmas(y, peak, width, width_variance, terms, stretch, spread, ambiguity, found):
    """1σ of the centre and of the corrected FWHM, channels (module docstring)."""
    rows = np.flatnonzero(found)
    variance, gains, shift, _ = terms
    covariance = noise_covariance(y, rows, peak, width) if len(rows) else None
    if covariance is None:
        gain = noise_gain(y, rows, peak, width) if len(rows) else np.nan
        gain = pooled_gain(gains[rows]) if not np.isfinite(gain) else gain
        covariance = np.zeros(variance.shape[1])
        covariance[0] = gain
    variance, width_variance = variance @ covariance, width_variance @ covariance
    variance, width_variance = (np.clip(v, 0.0, None) for v in (variance, width_variance))
    centre_sigma = np.where(found, np.sqrt(variance + shift**2), np.nan)
    fwhm_sigma = half_width_68(ambiguity, np.sqrt(width_variance * stretch**2 + spread**2))
    return centre_sigma, np.where(found, fwhm_sigma, np.nan)


def fit_zlp(
    spectra,
    energy: Axis,
    *,
    search_eV: tuple[float, float] = (-20.0, 20.0),
    uncertainty: bool = True,
) -> ZlpFit:
    """Find the zero-loss peak of every spectrum to sub-channel precision.

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Spectra, energy last.
    energy : Axis
        Energy-loss axis, eV.
    search_eV : (float, float), keyword-only
        Energy range searched for the maximum, eV (intersected with the axis).
    uncertainty : bool, keyword-only
        Compute ``position_sigma_eV`` and ``fwhm_sigma_eV`` (None otherwise).

    Returns
    -------
    ZlpFit
        ``found`` is False where the search range lies outside the spectrum or
        holds no peak standing clear of its surroundings.
    """
    y, nav_shape = as_spectra(spectra, energy, convert=False)
    coords = energy.coordinates()
    low, high = max(search_eV[0], coords[0]), min(search_eV[1], coords[-1])
    if high - low < 3 * energy.scale:
        nan = np.full(nav_shape, np.nan)
        reason = (
            f"no zero-loss peak: the spectrum covers {coords[0]:.4g}–{coords[-1]:.4g} eV, outside "
            f"{search_eV}"
        )
        return ZlpFit(nan, nan.copy(), nan.copy(), np.zeros(nav_shape, bool), False, reason)
    region = channel_range(energy, (low, high), minimum=3)
    peak = np.argmax(y[:, region], axis=1) + region.start
    first = widths(y, peak)[0]
    half = int(min(np.nanmax(first, initial=4.0) + 3, energy.size - 1))
    window, offsets = gather(y, peak, half)
    centre, weights = _log_gaussian_centre(window, offsets, 0.5 * first)
    width, width_variance = widths(y, peak, centre, first)
    height = y[np.arange(len(peak)), peak].astype(float)
    found = (
        np.isfinite(centre) & np.isfinite(width) & (height > 5 * np.maximum(y.mean(axis=1), 0) + 10)
    )
    position = np.where(found, energy.to_value(0) + (peak + centre) * energy.scale, np.nan)
    terms = centre_terms(window, offsets, weights, centre, found, width)
    corrected, stretch, ambiguity = corrected_width(width, centre, found, terms[3])
    fwhm = corrected * energy.scale
    sigmas = (None, None)
    if uncertainty:
        spread = shape_spread(corrected, centre, found, terms[3])
        sigmas = tuple(
            reshape_nav(s * energy.scale, nav_shape)
            for s in _sigmas(
                y, peak, width, width_variance, terms, stretch, spread, ambiguity, found
            )
        )
    n_missing = int((~found).sum())
    reason = (
        "" if n_missing == 0 else f"no zero-loss peak found in {n_missing} of {len(found)} spectra"
    )
    return ZlpFit(
        reshape_nav(position, nav_shape),
        reshape_nav(fwhm, nav_shape),
        reshape_nav(np.where(found, height, np.nan), nav_shape),
        reshape_nav(found, nav_shape),
        n_missing == 0,
        reason,
        *sigmas,
    )


@dataclass(frozen=True)
class AlignedSpectra:
    """Spectra resampled so that the chosen energy of each one lands on a common value.

    Attributes
    ----------
    array : ndarray, shape (..., n_channels)
        Aligned spectra on ``energy`` (float32 for float32 input, else float64).
    energy : Axis
        The (unchanged) energy axis, eV.
    shifts_eV : ndarray
        Energy subtracted from each spectrum, eV (navigation shape).
    valid : slice
        Channels that hold measured data in every spectrum (edges were padded).
    """

    array: np.ndarray
    energy: Axis
    shifts_eV: np.ndarray
    valid: slice


def shift_spectra(spectra, energy: Axis, shifts_eV) -> AlignedSpectra:
    """Move every spectrum down in energy by its own shift (cubic B-spline resampling).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Spectra, energy last (low-loss or simultaneously recorded core-loss).
    energy : Axis
        Energy axis, eV.
    shifts_eV : array_like
        One shift per spectrum (navigation shape), eV: a feature at ``E`` moves
        to ``E - shift``. NaN shifts are treated as 0.

    Returns
    -------
    AlignedSpectra
    """
    from scipy.ndimage import spline_filter1d

    y, nav_shape = as_spectra(spectra, energy, convert=False)
    shifts = np.nan_to_num(np.broadcast_to(np.asarray(shifts_eV, float), nav_shape).reshape(-1))
    channels = shifts / energy.scale
    whole = np.floor(channels).astype(np.int64)
    t = (channels - whole).astype(y.dtype)[:, None]
    weights = (
        (1 - t) ** 3 / 6,
        (4 - 6 * t**2 + 3 * t**3) / 6,
        (1 + 3 * t + 3 * t**2 - 3 * t**3) / 6,
        t**3 / 6,
    )
    pad = int(np.abs(whole).max(initial=0)) + 2
    coeffs = np.pad(
        spline_filter1d(y, order=3, axis=-1, mode="mirror", output=y.dtype),
        ((0, 0), (pad, pad)),
        "edge",
    )
    n = energy.size
    out = np.empty_like(y)
    for k in np.unique(whole):
        rows = np.flatnonzero(whole == k)
        block = coeffs[rows, pad + k - 1 : pad + k + n + 2]
        acc = weights[0][rows] * block[:, :n]
        for tap in range(1, 4):
            acc += weights[tap][rows] * block[:, tap : tap + n]
        out[rows] = acc
    low = int(np.clip(-np.floor(channels.min()) + 1, 0, energy.size)) if len(channels) else 0
    high = (
        int(np.clip(energy.size - np.ceil(channels.max()) - 1, low, energy.size))
        if len(channels)
        else energy.size
    )
    return AlignedSpectra(
        out.reshape(nav_shape + (energy.size,)), energy, shifts.reshape(nav_shape), slice(low, high)
    )


def align_zlp(
    spectra, energy: Axis, zlp: ZlpFit | None = None, *, to_zero: bool = True
) -> AlignedSpectra:
    """Align every spectrum on its fitted ZLP.

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Low-loss spectra.
    energy : Axis
        Energy axis, eV.
    zlp : ZlpFit, optional
        A previous :func:`fit_zlp` result (computed when omitted). Apply the same
        ``zlp`` to simultaneously recorded core-loss spectra with
        :func:`shift_spectra`.
    to_zero : bool, keyword-only
        Put every ZLP at 0 eV (True) or at their mean position (False).
    """
    zlp = fit_zlp(spectra, energy, uncertainty=False) if zlp is None else zlp
    if not zlp.found.any():
        raise ValueError(f"cannot align: {zlp.reason}")
    target = 0.0 if to_zero else float(np.nanmean(zlp.position_eV))
    return shift_spectra(spectra, energy, zlp.position_eV - target)


@dataclass(frozen=True)
class EnergyCalibration:
    """Energy axis from two features at known energies.

    Attributes
    ----------
    energy : Axis
        The new axis, eV.
    dispersion_eV : float
        eV per channel.
    offset_eV : float
        Energy of channel 0, eV.
    """

    energy: Axis
    dispersion_eV: float
    offset_eV: float


def calibrate_two_features(
    n_channels: int, channel_a: float, energy_a: float, channel_b: float, energy_b: float
) -> EnergyCalibration:
    """Offset and dispersion from two features at (fractional) channels with known energies (eV).

    Raises
    ------
    ValueError
        When the channels coincide or the energies do not increase with channel.
    """
    if channel_a == channel_b:
        raise ValueError(
            "the two features sit on the same channel; pick two features apart in energy"
        )
    dispersion = (energy_b - energy_a) / (channel_b - channel_a)
    if not dispersion > 0:
        raise ValueError("energies must increase with channel; check which feature is which")
    offset = energy_a - dispersion * channel_a
    return EnergyCalibration(
        Axis("E", int(n_channels), dispersion, offset, "eV"), float(dispersion), float(offset)
    )
