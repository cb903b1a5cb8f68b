"""Edge onsets.

Definition used throughout insitu-tem: the onset is the energy of the maximum
of the first derivative of the (background-subtracted) spectrum after
Gaussian smoothing (σ = ``smooth_eV``), searched within ``search_eV`` of the
tabulated onset and located to sub-channel precision by a parabola through
the three derivative samples around the maximum. It is the steepest point of
the rise, which for an edge broadened by a resolution function of FWHM w lies
about w/2 above the threshold of an ideal step; the same definition serves saw-tooth K
edges and L2,3 white lines (there the steepest point of the L3 line's rise). An edge is
found only where the mean background-subtracted signal over the 5 eV above the search
range exceeds five times the standard deviation of the (1 eV-smoothed) pre-edge residual,
the steepest rise exceeds its own noise σ_D (the derivative's, propagated like the
statistical term below, and the extrapolated background's error through the derivative as in
the background term) times a Student-t quantile for the degrees of freedom of the pre-edge
window — channels less the background's parameters and the detrending polynomial's
(:func:`detection_threshold`: 5.2 for 160 channels, 17 for 9; where the spectra are
Fourier-log single scattering, five times the larger of that and the deconvolution noise
propagated from the recorded counts, a noise model that bounds σ_D from below; in a window of
fewer than 48 channels, :func:`.onset_noise.short_window`, at least five times σ_D from the
counts' covariance measured over whole spectra, :func:`.onset_noise.counts_noise`), no other
local maximum of the derivative in the search range comes within 2√2 times the statistical σ_D of
it (rises the noise cannot order: a broad, delayed edge whose noisy derivative has several
tops), the peak is a maximum of the Gaussian fitted over its top, and the onset's 1σ is at
most a third of the search half-width.

Uncertainty (``stderr_eV``, 1σ of the onset so defined), three independent terms in quadrature:

* statistical: the onset is a differentiable function of the counts near it (smoothing,
  derivative, parabola vertex), linearised into an influence kernel h (eV per count; the
  derivative's curvature at the top of a Gaussian fitted over the peak above half its
  height); its
  variance Σ_k C(k) Σ_j h_j h_{j+k} uses the autocovariance C of the pre-edge residuals less
  their quadratic across the window (up to twice the lag where their autocorrelation falls
  below 0.1, so correlated detector noise and deconvolution count, but not a preceding edge's
  smooth tail; :mod:`.onset_noise`), scaled from the pre-edge level to the level under h
  (Poisson); in a window of fewer than 48 channels, at least that from the counts'
  covariance over whole spectra (:func:`.onset_noise.counts_noise`);
* background: the extrapolated background's error moves the criterion too — the power-law (or
  other model's) parameter covariance propagated through h (δonset = -hᵀ J δθ, J the model's
  Jacobian under the edge), and the fit-window choice: the onsets found with the window's
  second half and with the other pre-edge law (exponential for a power law, else a power law),
  each an independent component of size |difference from the nominal onset|;
* channel quantisation: the vertex of the parabola through three derivative samples against
  that of a Gaussian through the same three, the spread of two standard interpolants of a
  sampled peak.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import (
    as_spectra,
    channel_range,
    parabola_vertex,
    reshape_nav,
    smooth,
)
from insitu_tem.analysis.eels.background import (
    BackgroundFit,
    auto_background_window,
    fit_background,
    subtract_background,
)
from insitu_tem.analysis.eels.deconvolution_noise import DeconvolutionNoise
from insitu_tem.analysis.eels.edges_table import find_edge
from insitu_tem.analysis.eels.onset_noise import (
    DETREND_DEGREE,
    counts_noise,
    short_window,
    detrend_degree,
    propagated_noise,
    residual_noise,
)
from insitu_tem.analysis.eels.onset_peak import DerivativePeak, derivative_peak

SEARCH_EV = 4.0
"""Default half-width of the onset search about the tabulated threshold, eV."""

DETECTION_Z = 5.0
"""The steepest rise must exceed this many standard deviations of its own noise when that is
known; estimated from a pre-edge window, the Student-t quantile at the same tail probability
(:func:`detection_threshold`)."""


def detection_threshold(channels: int, parameters: int) -> float:
    """How many of its noise σ_D the steepest rise must exceed when σ_D is estimated from the
    residuals of ``channels`` pre-edge channels after ``parameters`` fitted columns (background
    law and detrending polynomial): the Student-t quantile with ν = channels − parameters
    degrees of freedom at the one-sided tail probability of :data:`DETECTION_Z` for a known σ
    (2.9e-7), so that a window of a few channels, whose σ_D estimate is itself noisy, admits no
    more false rises than a wide one (ν = 7: 17.1; 50: 5.7; 155: 5.2; → 5 as ν grows) [1]_.
    scipy.special's Student-t inverse, not scipy.stats (whose import holds the GUI thread
    ~1.6 s when the EELS panel picks its edge).

    References
    ----------
    .. [1] W. S. Gosset ("Student"), The probable error of a mean, *Biometrika* 6 (1908) 1–25.
    """
    from scipy.special import ndtr, stdtrit

    return float(-stdtrit(max(channels - parameters, 1), ndtr(-DETECTION_Z)))


DEFINITION = (
    "maximum of the Gaussian-smoothed first derivative of the background-subtracted spectrum"
)


@dataclass(frozen=True)
class EdgeOnset:
    """Onset of one edge in every spectrum.

    Attributes
    ----------
    edge : str
        Edge name.
    onset_eV : ndarray
        Onset energy, eV (navigation shape; NaN where not found).
    slope : ndarray
        Maximum of the smoothed derivative, counts per channel per eV.
    found : ndarray of bool
        False where the derivative has no positive maximum inside the search range.
    definition : str
        How the onset is defined.
    ok : bool
        True when found everywhere.
    reason : str
        Why some were not found ("" when ok).
    stderr_eV : ndarray
        1σ of the onset, eV: the three terms below in quadrature (NaN where not found).
    statistical_eV, background_eV, quantisation_eV : ndarray
        Counting noise, extrapolated background (parameters and window choice) and channel
        quantisation terms, eV.
    rise : ndarray
        The steepest rise (as ``slope``) wherever the edge rises above the noise — a positive
        interior maximum above :data:`DETECTION_Z` σ_D with the signal above the search range
        over five times the pre-edge noise — whether or not its onset can be placed (no rival,
        1σ within a third of the search half-width); NaN elsewhere.
    rise_sigma : ndarray
        σ_D, the 1σ of the steepest derivative sample in the search range from the counts'
        noise and the extrapolated background, counts per channel per eV, in every spectrum:
        a detected rise stands ``rise / rise_sigma`` of it above the noise (the threshold:
        :func:`detection_threshold` of the pre-edge window, or :data:`DETECTION_Z` after
        Fourier-log).
    """

    edge: str
    onset_eV: np.ndarray
    slope: np.ndarray
    found: np.ndarray
    definition: str
    ok: bool
    reason: str
    stderr_eV: np.ndarray | None = None
    statistical_eV: np.ndarray | None = None
    background_eV: np.ndarray | None = None
    quantisation_eV: np.ndarray | None = None
    rise: np.ndarray | None = None
    rise_sigma: np.ndarray | None = None


def _above_noise(signal: np.ndarray, energy: Axis, window, top_eV: float) -> np.ndarray:
    """Whether the mean signal over 5 eV above the search range exceeds 5× the pre-edge noise.

    The noise is the standard deviation of the background-subtracted pre-edge window after the
    same 1 eV smoothing, so correlated detector noise and the background misfit both count.
    """
    smoothed = smooth(signal, 1.0 / energy.scale)
    pre = smoothed[:, channel_range(energy, window, minimum=3)]
    end = min(top_eV + 5.0, float(energy.coordinates()[-1]))
    after = signal[:, channel_range(energy, (min(top_eV, end - energy.scale), end), minimum=1)]
    return after.mean(axis=1) > 5.0 * pre.std(axis=1)


def _gaussian_kernel(sigma_channels: float) -> np.ndarray:
    """The discrete kernel of :func:`smooth` (scipy's, radius int(4σ + 0.5)); [1] for σ ≤ 0."""
    if sigma_channels <= 0:
        return np.ones(1)
    radius = int(4.0 * sigma_channels + 0.5)
    x = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (x / sigma_channels) ** 2)
    return kernel / kernel.sum()


def _influence(peak: DerivativePeak, sigma_channels: float, scale: float):
    """Kernels (eV per count, and counts/eV of the peak derivative per count) of the onset's and
    the peak slope's first-order response to the counts at channels ``index - radius …
    index + radius``, every spectrum, and ``radius``."""
    g = _gaussian_kernel(sigma_channels)
    half = len(g) // 2
    radius = half + 2
    o = peak.offset
    curvature = np.where(peak.curvature < 0, peak.curvature, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.stack([0.5 - o, 2.0 * o, -(0.5 + o)], axis=1) / curvature[:, None]
    basis = np.zeros((3, 2 * radius + 1))
    for tau in (-1, 0, 1):
        for step, sign in ((1, 0.5), (-1, -0.5)):
            centre = radius + tau + step
            basis[tau + 1, centre - half : centre + half + 1] += sign * g
    slope = np.broadcast_to(basis[1] / scale, (len(o), basis.shape[1]))
    return weights @ basis, slope, radius


def _parameter_term(
    fit: BackgroundFit, energy: Axis, peak: DerivativePeak, kernel, radius
) -> np.ndarray:
    """1σ of the onset from the background parameters' covariance, eV."""
    rows = np.arange(len(peak.index))[:, None]
    columns = np.clip(
        peak.index[:, None] + np.arange(-radius, radius + 1)[None, :], 0, energy.size - 1
    )
    first, last = int(columns.min()), int(columns.max())
    jacobian = fit.jacobian(energy.coordinates()[first : last + 1])
    response = np.einsum("nj,njp->np", kernel, np.nan_to_num(jacobian[rows, columns - first]))
    variance = np.einsum("np,npq,nq->n", response, fit.covariance, response)
    return np.sqrt(np.maximum(variance, 0.0))


def _quantisation(peak: DerivativePeak, energy: Axis) -> np.ndarray:
    """|parabola vertex - Gaussian vertex| of the three derivative samples, eV (one channel /
    √12 where a sample is not positive)."""
    positive = (peak.samples > 0).all(axis=1)
    logs = np.log(np.where(positive[:, None], peak.samples, 1.0))
    gaussian, _ = parabola_vertex(*logs.T)
    return np.where(
        positive, np.abs(gaussian - peak.offset) * energy.scale, energy.scale / np.sqrt(12.0)
    )


def _window_choice(y, energy: Axis, window, model: str, region, smooth_eV, nominal) -> np.ndarray:
    """Quadrature sum of |onset - nominal| with the window's second half and the other law."""
    other = "exponential" if model == "power_law" else "power_law"
    middle = 0.5 * (window[0] + window[1])
    total = np.zeros(len(y))
    for choice, law in (((middle, window[1]), model), (window, other)):
        try:
            fit = fit_background(y, energy, choice, model=law)
        except ValueError:
            continue
        signal = np.nan_to_num(subtract_background(y, energy, fit))
        moved = derivative_peak(signal, energy, region, smooth_eV)
        total += (moved.energy_eV - nominal) ** 2
    return np.sqrt(total)


def _detection_sigmas(fit: BackgroundFit, energy: Axis, kernel_width: int) -> tuple[float, str]:
    """:func:`detection_threshold` for the pre-edge window of ``fit``, whose residuals less the
    background's parameters and the detrending polynomial (:func:`.onset_noise.detrend_degree`,
    the mean counted with the background's scale) estimate σ_D, and what to tell the user of it
    when the window holds fewer than three kernel supports (the polynomial lowered), else ""."""
    window = channel_range(energy, fit.window_eV, minimum=3)
    channels = window.stop - window.start
    degree = detrend_degree(channels, kernel_width)
    threshold = detection_threshold(channels, fit.params.shape[-1] + degree)
    if degree == DETREND_DEGREE:
        return threshold, ""
    return threshold, (
        f"; its pre-edge window ({fit.window_eV[0]:.4g}–{fit.window_eV[1]:.4g} eV) holds "
        f"{channels} channels, too few to know the noise well: a rise must exceed "
        f"{threshold:.3g} σ of it, a wider window (--background) lowers that"
    )


def _channel_count(energy: Axis, window) -> int:
    """Channels of ``energy`` inside ``window`` (eV)."""
    channels = channel_range(energy, window, minimum=3)
    return channels.stop - channels.start


def _counts_sigma(y, energy: Axis, peak, kernel, radius: int) -> np.ndarray:
    """σ_D from the counts' covariance over whole spectra (:func:`.onset_noise.counts_noise`),
    zero where it cannot be measured."""
    sigma = counts_noise(y, energy, peak, kernel, radius)
    return np.zeros(len(y)) if sigma is None else sigma


def _not_found(name: str, search_eV: float, missing: int, note: str) -> str:
    """The reason an onset is missing in ``missing`` spectra ("" when none)."""
    if not missing:
        return ""
    return (
        f"no edge of {name} rising above the noise as a single steepest rise within "
        f"±{search_eV:g} eV (or an onset uncertain by more than {search_eV / 3:.2g} eV) in "
        f"{missing} spectra{note}"
    )


def edge_onset(
    spectra,
    energy: Axis,
    edge: str,
    *,
    background_window: tuple[float, float] | None = None,
    background_model: str = "power_law",
    search_eV: float = SEARCH_EV,
    smooth_eV: float = 0.3,
    noise: DeconvolutionNoise | None = None,
) -> EdgeOnset:
    """Onset of ``edge`` in every spectrum and its 1σ (see the module docstring).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Counts, energy last (aligned on the ZLP when there is one).
    energy : Axis
        Energy-loss axis, eV.
    edge : str
        Edge name from the table (``"W-O23"``, ``"C-K"``...).
    background_window : (float, float), keyword-only
        Pre-edge window, eV; default :func:`auto_background_window`.
    background_model : str, keyword-only
        Background model (see :mod:`.background`).
    search_eV : float, keyword-only
        Half-width of the search range around the tabulated onset, eV.
    smooth_eV : float, keyword-only
        Gaussian σ of the smoothing, eV.
    noise : DeconvolutionNoise, keyword-only
        When ``spectra`` are Fourier-log single scattering: the recorded counts' noise; the
        statistical terms are then the larger of the residuals' and this noise propagated
        through the deconvolution (which carries the plasmon peak's counting noise onto the
        edge as broad ripples the pre-edge residuals do not show).
    """
    info = find_edge(edge)
    window = background_window or auto_background_window(info.name, energy)
    y, nav_shape = as_spectra(spectra, energy)
    fit = fit_background(y, energy, window, model=background_model)
    signal = np.nan_to_num(subtract_background(y, energy, fit))
    low = max(info.onset_eV - search_eV, window[1])
    region = channel_range(energy, (low, info.onset_eV + search_eV), minimum=3)
    peak = derivative_peak(signal, energy, region, smooth_eV)
    slope = peak.samples[:, 1]
    found = peak.interior & (slope > 0)
    found &= _above_noise(signal, energy, window, info.onset_eV + search_eV)
    kernel, slope_kernel, radius = _influence(peak, smooth_eV / energy.scale, energy.scale)

    threshold, note = (
        _detection_sigmas(fit, energy, slope_kernel.shape[1])
        if noise is None
        else (DETECTION_Z, "")
    )

    def noise_sigma(functional):
        sigma = residual_noise(y, fit, energy, peak, functional, radius)
        if noise is not None:
            return sigma, propagated_noise(noise, functional, peak, radius, energy.size)
        if short_window(_channel_count(energy, window)):
            return sigma, _counts_sigma(y, energy, peak, functional, radius)
        return sigma, np.zeros_like(sigma)

    residual_sigma, bound = noise_sigma(slope_kernel)
    slope_sigma = np.fmax(residual_sigma, bound)
    estimated = np.hypot(residual_sigma, _parameter_term(fit, energy, peak, slope_kernel, radius))
    if noise is None:
        below = slope <= np.fmax(threshold * estimated, DETECTION_Z * bound)
    else:
        below = slope <= DETECTION_Z * np.fmax(estimated, bound)
    note = note if (found & below).any() else ""
    detection_sigma = np.fmax(estimated, bound)
    found &= ~below
    rise = np.where(found, slope, np.nan)
    found &= peak.rival < slope - 2 * np.sqrt(2) * slope_sigma
    terms = (
        np.fmax(*noise_sigma(kernel)),
        np.hypot(
            _parameter_term(fit, energy, peak, kernel, radius),
            _window_choice(y, energy, window, background_model, region, smooth_eV, peak.energy_eV),
        ),
        _quantisation(peak, energy),
    )
    stderr = np.sqrt(sum(t**2 for t in terms))
    found &= np.isfinite(stderr) & (stderr <= search_eV / 3)
    missing = int((~found & fit.ok).sum())
    reason = "; ".join(
        r for r in (fit.reason, _not_found(info.name, search_eV, missing, note)) if r
    )
    found &= fit.ok
    nan = lambda v: reshape_nav(np.where(found, v, np.nan), nav_shape)  # noqa: E731
    return EdgeOnset(
        info.name,
        nan(peak.energy_eV),
        nan(slope),
        reshape_nav(found, nav_shape),
        DEFINITION,
        not reason,
        reason,
        nan(stderr),
        *(nan(t) for t in terms),
        reshape_nav(rise, nav_shape),
        reshape_nav(detection_sigma, nav_shape),
    )
