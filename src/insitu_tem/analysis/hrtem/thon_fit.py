"""The defocus of a phase-contrast image from the Thon rings of its power-spectrum profile, the
voltage and Cs given, and the transfer it implies.

χ(k) = −πλΔf k² + ½πC_sλ³k⁴ (Δf > 0 underfocus, as the file metadata and the FFT panel give it).
Two-fold astigmatism A (the defocus ranging over Δf ± A/2 with the azimuth) averages the
transfer over the ring: sin²(χ + φ) becomes T(k) = ½ − ½cos(2χ + 2φ)·J₀(πλA k²), φ = asin w,
w the amplitude contrast; a profile bin Δk wide averages it further by sinc(χ′Δk), so lobes
narrower than a bin are not modelled. The profile is modelled as P(k) = N + T(k)·S(k), N the
white noise, S the trend of P/T (a cubic in log-log over the bins where T ≥ ½, away from the
ring: the trend of P itself follows the transfer's dips) times a Chebyshev polynomial of degree
``SMOOTH_DEGREE`` plus, when the ring is known, its Gaussian and the Gaussian's derivative in k₀
(the smooth S alone cannot follow the ring, and a wrong Δf would then use T to model it; the
ring as seen may lie off its true position by the transfer's slope, which S must be free to
follow). For each (Δf, A, w) the model is linear in N and S: least squares with each bin
weighted by 1/(σ·P), σ the bin's 1σ in ln P, so that the residual is a χ². Δf is searched as
CTFFIND does for one azimuth: an exhaustive grid (a quarter of the outermost lobe's shift per
step) over ``DEFOCUS_RANGE_NM`` at each A of ``ASTIGMATISM_NM`` and w of
``AMPLITUDE_CONTRASTS`` (the images' amplitude contrast is not known; CTFFIND asks for it), then
the best among the defoci that put at least ``MIN_ZEROS`` zeros in the profile's range (fewer
make T a smooth tilt that S's shape can stand for).

**Significance.** The same fit with T ≡ ½ (no Thon rings) lacks only Δf, A and w; the gain in
χ² of the best (Δf, A, w), scaled to χ²ᵣ = 1 at the best and divided by (1 + ρ)/(1 − ρ) for the
lag-one correlation ρ of the smooth fit's residuals (neighbouring bins that depart from the
smooth model together are less evidence than independent ones), must exceed the level that
the maximum over the grid's independent trials (one per lobe shift) of a χ² with four degrees
of freedom exceeds with probability ``FALSE_ALARM``.

**Uncertainty.** Δf's 1σ is the half-width of the residual's minimum where χ², scaled to
χ²ᵣ = 1, rises by 1 (at least half a grid step); the other local minima that rise by less than
``AMBIGUOUS_RISE`` are alternatives (the Thon rings of a short profile can fit more than one
defocus).

References
----------
Rohou, A. & Grigorieff, N. (2015). CTFFIND4: fast and accurate defocus estimation from electron
micrographs. *J. Struct. Biol.* 192, 216–221.
Wade, R. H. (1992). A brief look at imaging and contrast transfer. *Ultramicroscopy* 46,
145–156 (astigmatism and the azimuthal average of the transfer).
Toyoshima, C. & Unwin, N. (1988). Contrast transfer for frozen-hydrated specimens:
determination from pairs of defocused images. *Ultramicroscopy* 25, 279–291 (amplitude
contrast of thin specimens).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

AMPLITUDE_CONTRAST = 0.07
"""The amplitude contrast w of :func:`transfer` when none is given."""
AMPLITUDE_CONTRASTS = (0.0, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2)
"""The amplitude contrasts w the fit tries at every defocus: 0 to 0.2, beyond the 0.05–0.15 of
thin specimens (Toyoshima & Unwin 1988), in steps that move a zero by less than 0.025 rad."""
SMOOTH_DEGREE = 6
DEFOCUS_RANGE_NM = (-200.0, 400.0)
ASTIGMATISM_NM = (0.0, 4.0, 8.0, 14.0)
FALSE_ALARM = 1e-3
MIN_ZEROS = 2
_LOW_TRANSFER_WEIGHT = 1e-3
_TREND_RANGE = 3.0
AMBIGUOUS_RISE = 4.0
"""A local minimum of the residual less than this above the best (χ² scaled to χ²ᵣ = 1 at the
best, i.e. within 2σ) is another possible defocus."""


@dataclass(frozen=True)
class Optics:
    """The objective's voltage (kV) and spherical aberration C_s (mm)."""

    kv: float
    cs_mm: float

    @property
    def wavelength_nm(self) -> float:
        """Relativistic electron wavelength, nm."""
        volts = self.kv * 1e3
        return 1.2264259 / math.sqrt(volts * (1 + 0.97847e-6 * volts))


@dataclass(frozen=True)
class DefocusFit:
    """The fitted defocus and what it rests on.

    Attributes
    ----------
    defocus_nm, sigma_nm : float
        Δf (positive underfocus) and its 1σ, nm.
    astigmatism_nm, amplitude_contrast : float
        Two-fold astigmatism A (nm) and amplitude contrast w of the best fit.
    alternatives_nm : tuple of float
        Other local minima of the residual within ``AMBIGUOUS_RISE`` of the best, nm.
    noise : numpy.ndarray
        N(k) of the best model at the profile's k.
    gain, threshold : float
        χ² gained over the model without Thon rings (scaled to χ²ᵣ = 1) and the level it must
        exceed to be significant.
    grid_nm, rise, grid_astigmatism_nm, grid_amplitude_contrast : numpy.ndarray
        Every defocus tried (nm), the residual's rise above its minimum over them all in units
        of a χ² of independent bins (scaled to χ²ᵣ = 1 and divided by the residual correlation:
        −2 ln of the relative likelihood, profiled over A and w), and the best astigmatism (nm)
        and amplitude contrast at each.
    """

    defocus_nm: float
    sigma_nm: float
    astigmatism_nm: float
    amplitude_contrast: float
    alternatives_nm: tuple[float, ...]
    noise: np.ndarray
    gain: float
    threshold: float
    grid_nm: np.ndarray
    rise: np.ndarray
    grid_astigmatism_nm: np.ndarray
    grid_amplitude_contrast: np.ndarray

    @property
    def significant(self) -> bool:
        return self.gain > self.threshold


def _phase(
    k: np.ndarray, defocus_nm, optics: Optics, amplitude_contrast=AMPLITUDE_CONTRAST
) -> np.ndarray:
    """χ + asin w at |k| (1/nm)."""
    lam = optics.wavelength_nm
    chi = -math.pi * lam * defocus_nm * k**2 + 0.5 * math.pi * optics.cs_mm * 1e6 * lam**3 * k**4
    return chi + np.arcsin(amplitude_contrast)


def transfer(
    k: np.ndarray,
    defocus_nm,
    optics: Optics,
    astigmatism_nm=0.0,
    *,
    amplitude_contrast=AMPLITUDE_CONTRAST,
    bin_per_nm: float = 0.0,
) -> np.ndarray:
    """The azimuthal mean of sin²(χ + asin w) at |k| (1/nm) (module docstring), averaged over
    profile bins ``bin_per_nm`` wide (0: at k itself); the parameters broadcast against k."""
    damping = special.j0(math.pi * optics.wavelength_nm * astigmatism_nm * k**2)
    damping = damping * _blur(k, defocus_nm, optics, bin_per_nm)
    return 0.5 - 0.5 * np.cos(2 * _phase(k, defocus_nm, optics, amplitude_contrast)) * damping


def _blur(k: np.ndarray, defocus_nm, optics: Optics, bin_per_nm: float) -> np.ndarray:
    """sinc(χ′Δk): the damping of cos 2χ averaged over a bin ``bin_per_nm`` wide."""
    lam = optics.wavelength_nm
    slope = -2 * math.pi * lam * defocus_nm * k + 2 * math.pi * optics.cs_mm * 1e6 * lam**3 * k**3
    return np.sinc(slope * bin_per_nm / math.pi)


def zeros(k: np.ndarray, defocus_nm: float, optics: Optics) -> int:
    """How many zeros of sin(χ + asin w) lie within the range of ``k``."""
    return int(np.count_nonzero(np.diff(np.floor(_phase(k, defocus_nm, optics) / math.pi))))


def _basis(k: np.ndarray, power: np.ndarray, ring: tuple[float, float] | None) -> np.ndarray:
    """The smooth S's basis: Chebyshev polynomials over the profile's range times the profile's
    trend (:func:`_trend`), and the ring's Gaussian and its derivative in k₀ (the ring as the
    transfer shows it may lie off its true position, which S must be free to take)."""
    x = 2 * (k - k[0]) / (k[-1] - k[0]) - 1
    trend = np.exp(_trend(k, power))
    smooth = np.polynomial.chebyshev.chebvander(x, SMOOTH_DEGREE) * trend[:, None]
    if ring is None:
        return smooth
    k0, width = ring
    u = (k - k0) / width
    gaussian = trend * np.exp(-0.5 * u**2)
    return np.column_stack([smooth, gaussian, gaussian * u])


def _trend(k: np.ndarray, power: np.ndarray) -> np.ndarray:
    """ln of the profile's trend: a cubic in log-log."""
    return np.polyval(np.polyfit(np.log(k), np.log(power), 3), np.log(k))


def _shaped(k: np.ndarray, power: np.ndarray, passed: np.ndarray, away: np.ndarray) -> np.ndarray:
    """The transfers ``passed`` (rows) times the ratio of the trend of P/T to the profile's own
    trend (:func:`_trend`): the trend of P follows the transfer's dips, that of P/T the object's
    spectrum. The trend of P/T is a cubic in log-log fitted to the bins ``away`` from the ring
    where T ≥ ½ (the others weigh ``_LOW_TRANSFER_WEIGHT``), its ratio held within
    e^±``_TREND_RANGE``."""
    x = np.log(k) - np.log(k).mean()
    design = np.vander(x, 4, increasing=True)
    weight = (passed >= 0.5) * away + _LOW_TRANSFER_WEIGHT
    ratio = np.log(power)[None, :] - np.log(np.maximum(passed, 1e-6))
    outer = (design[:, :, None] * design[:, None, :]).reshape(k.size, 16)
    normal = (weight @ outer).reshape(-1, 4, 4)
    cubic = np.linalg.solve(normal, ((weight * ratio) @ design)[:, :, None])[:, :, 0]
    shift = np.clip(cubic @ design.T - _trend(k, power)[None, :], -_TREND_RANGE, _TREND_RANGE)
    return passed * np.exp(shift)


def _misfit(design: np.ndarray, power: np.ndarray, sigma: np.ndarray):
    """Normalised residuals and coefficients of the linear model ``design`` of ``power`` (1σ of
    ln P ``sigma``)."""
    weighted = design / (sigma * power)[:, None]
    coefficients, *_ = np.linalg.lstsq(weighted, 1.0 / sigma, rcond=None)
    return weighted @ coefficients - 1.0 / sigma, coefficients


def _chi2(design: np.ndarray, power: np.ndarray, sigma: np.ndarray) -> tuple[float, np.ndarray]:
    """χ² and coefficients of the linear model ``design`` of ``power`` (1σ of ln P ``sigma``)."""
    misfit, coefficients = _misfit(design, power, sigma)
    return float(misfit @ misfit), coefficients


def _correlation(misfit: np.ndarray) -> float:
    """(1 + ρ)/(1 − ρ) for the lag-one correlation ρ ≥ 0 of neighbouring residuals: how much a
    χ² gain overstates its evidence when neighbouring bins depart from the model together (a
    smooth misfit of the ring or background that an oscillating transfer can partly absorb)."""
    centred = misfit - misfit.mean()
    rho = float(centred[:-1] @ centred[1:] / max(centred @ centred, 1e-300))
    rho = min(max(rho, 0.0), 0.9)
    return (1 + rho) / (1 - rho)


def _threshold(trials: float) -> float:
    from scipy.stats import chi2  # scipy.stats is not imported at the GUI's start

    return float(chi2.isf(FALSE_ALARM / max(trials, 1.0), 4))


def _residuals(k, power, sigma, optics, basis, grid, away) -> np.ndarray:
    """χ² of the model at each (astigmatism, amplitude contrast) of ``_nuisances()`` (rows) and
    defocus (columns) of ``grid``: least squares by the normal equations of all of them at once
    (the columns scaled to unit norm), the transfer of :func:`transfer` with cos(2χ + 2φ)
    expanded in φ and shaped by :func:`_shaped` (``away``: the bins away from the ring). One
    product over every (nuisance, defocus): small products each, on a multi-threaded BLAS,
    spent more time in its threads' hand-over than in the arithmetic."""
    weight, target = 1.0 / (sigma * power), 1.0 / sigma
    columns = basis * weight[:, None]
    pairs = (columns[:, :, None] * columns[:, None, :]).reshape(k.size, -1)
    m, nuisances = basis.shape[1], _nuisances()
    phase = 2 * _phase(k[None, :], grid[:, None], optics, 0.0)
    blur = _blur(k[None, :], grid[:, None], optics, k[1] - k[0])
    cosine, sine = np.cos(phase) * blur, np.sin(phase) * blur
    passed = np.empty((len(nuisances), grid.size, k.size))
    for row, (astigmatism, amplitude) in enumerate(nuisances):
        damping = special.j0(math.pi * optics.wavelength_nm * astigmatism * k**2)
        offset = 2 * math.asin(amplitude)
        oscillation = cosine * math.cos(offset) - sine * math.sin(offset)
        passed[row] = 0.5 - 0.5 * oscillation * damping
    passed = _shaped(k, power, passed.reshape(-1, k.size), away)
    normal = np.empty((passed.shape[0], m + 1, m + 1))
    normal[:, 0, 0] = weight @ weight
    normal[:, 0, 1:] = normal[:, 1:, 0] = passed @ (columns * weight[:, None])
    normal[:, 1:, 1:] = (passed**2 @ pairs).reshape(-1, m, m)
    projected = np.column_stack(
        [np.full(passed.shape[0], weight @ target), passed @ (columns * target[:, None])]
    )
    scale = 1.0 / np.sqrt(np.einsum("gii->gi", normal))
    solved = np.linalg.solve(
        normal * scale[:, :, None] * scale[:, None, :], (projected * scale)[:, :, None]
    )[:, :, 0]
    chi2 = target @ target - np.einsum("gi,gi->g", solved, projected * scale)
    return chi2.reshape(len(nuisances), grid.size)


def _nuisances() -> list[tuple[float, float]]:
    """Every (astigmatism nm, amplitude contrast) the fit tries at each defocus."""
    return [(a, w) for a in ASTIGMATISM_NM for w in AMPLITUDE_CONTRASTS]


def _noise(k: np.ndarray) -> np.ndarray:
    """N(k)'s basis: white (constant)."""
    return np.ones((k.size, 1))


def _within(rise: np.ndarray, best: int, level: float) -> tuple[int, int]:
    """The first and last index around ``best`` where ``rise`` stays below ``level``."""
    low, high = best, best
    while low > 0 and rise[low - 1] < level:
        low -= 1
    while high < rise.size - 1 and rise[high + 1] < level:
        high += 1
    return low, high


def _best_noise(k, power, sigma, optics, basis, defocus_nm, nuisance, away) -> np.ndarray:
    """N(k) of the model at ``defocus_nm`` and ``nuisance`` (astigmatism nm, amplitude
    contrast); ``away`` as :func:`_residuals`."""
    astigmatism, amplitude = nuisance
    passed = transfer(
        k, defocus_nm, optics, astigmatism, amplitude_contrast=amplitude, bin_per_nm=k[1] - k[0]
    )
    passed = _shaped(k, power, passed[None, :], away)[0]
    coefficients = _chi2(np.hstack([_noise(k), passed[:, None] * basis]), power, sigma)[1]
    return _noise(k) @ coefficients[:1]


def fit_defocus(
    k: np.ndarray,
    power: np.ndarray,
    sigma: np.ndarray,
    optics: Optics,
    *,
    ring: tuple[float, float] | None = None,
) -> DefocusFit:
    """Δf of the model of the module docstring on a profile ``power`` at |k| (1/nm) with the 1σ
    ``sigma`` of ln ``power`` per bin; ``ring`` the ring's (k₀, Gaussian s) in 1/nm when known.
    """
    basis = _basis(k, power, ring)
    away = np.abs(k - ring[0]) > 2 * ring[1] if ring is not None else np.ones(k.size, bool)
    step = 0.25 / (math.pi * optics.wavelength_nm * k[-1] ** 2)
    grid = np.arange(*DEFOCUS_RANGE_NM, step)
    residuals = _residuals(k, power, sigma, optics, basis, grid, away)
    rings = np.array([zeros(k, df, optics) >= MIN_ZEROS for df in grid])
    smooth_misfit = _misfit(np.hstack([_noise(k), basis]), power, sigma)[0]
    smooth = float(smooth_misfit @ smooth_misfit)
    dof = max(k.size - basis.shape[1] - 5, 1)
    lowest = residuals.min(axis=0)
    nuisances = np.array(_nuisances())[np.argmin(residuals, axis=0)]
    likelihood = dict(
        grid_nm=grid,
        rise=(lowest - lowest.min()) / max(lowest.min() / dof, 1.0) / _correlation(smooth_misfit),
        grid_astigmatism_nm=nuisances[:, 0],
        grid_amplitude_contrast=nuisances[:, 1],
    )
    if not rings.any():
        best_a, best = np.unravel_index(int(np.argmin(residuals)), residuals.shape)
        nuisance = _nuisances()[best_a]
        noise = _best_noise(k, power, sigma, optics, basis, grid[best], nuisance, away)
        return DefocusFit(
            math.nan, math.nan, math.nan, math.nan, (), noise, 0.0, math.inf, **likelihood
        )
    masked = np.where(rings[None, :], residuals, np.inf)
    best_a, best = np.unravel_index(int(np.argmin(masked)), residuals.shape)
    scale = max(residuals[best_a, best] / dof, 1.0)
    rise = (lowest - residuals[best_a, best]) / scale
    low, high = _within(rise, best, 1.0)
    inner = (rise[1:-1] <= rise[:-2]) & (rise[1:-1] <= rise[2:]) & (rise[1:-1] < AMBIGUOUS_RISE)
    others = [grid[i] for i in np.flatnonzero(inner) + 1 if not low <= i <= high]
    nuisance = _nuisances()[best_a]
    return DefocusFit(
        defocus_nm=float(grid[best]),
        sigma_nm=float(max(0.5 * (grid[high] - grid[low]), 0.5 * step)),
        astigmatism_nm=float(nuisance[0]),
        amplitude_contrast=float(nuisance[1]),
        alternatives_nm=tuple(float(d) for d in others),
        noise=_best_noise(k, power, sigma, optics, basis, grid[best], nuisance, away),
        gain=float((smooth - residuals[best_a, best]) / scale / _correlation(smooth_misfit)),
        threshold=_threshold(grid.size / 4.0),
        **likelihood,
    )
