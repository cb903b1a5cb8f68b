"""Sub-pixel translation between two projections, coarse to fine.

Both images are band-passed (Gaussian low-pass σ = 1 px against shot noise,
minus a σ = size/8 blur against slow background) and Hann-windowed, then
cross-correlated (not phase-correlated: plain correlation keeps its peak at
20 counts/px) on a binned copy (≤ 96 px) for a robust integer estimate, then
at full resolution with a parabola through the peak, re-shifting the moving
image by cubic splines and correlating again to remove the parabola's bias.
:func:`chance_peaks` are the peaks the pair reaches when it shares no structure (phase-randomised
surrogates of the moving image), against which a peak means something; :func:`chance_level`
their largest.

:func:`matched_displacement` refines a small displacement against a
noise-free-ish reference (a re-projection) by Gauss–Newton least squares on
the reference's gradient, weighted by the inverse expected counts (Poisson),
with a free gain and background — near the Cramér–Rao bound where plain
correlation, whose window discards the image edges, is not.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import ndimage

SURROGATES = 19


@lru_cache(maxsize=8)
def radial_hann(shape: tuple[int, int]) -> np.ndarray:
    """Rotationally symmetric Hann window of ``shape`` (float32, read-only, cached per shape) of
    length max(shape), the shorter axis stretched (as ``skimage.filters.window("hann", shape)``)."""
    size = max(shape)
    centre = size / 2 - 0.5
    rows, cols = (np.arange(n, dtype=np.float32) * (size / n) - centre for n in shape)
    position = np.hypot(rows[:, None], cols[None, :]) + centre
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * position / (size - 1))
    window = np.where(position <= size - 1, hann, 0.0).astype(np.float32)
    window.flags.writeable = False
    return window


def _band(image: np.ndarray) -> np.ndarray:
    image = _without_plane(np.asarray(image, dtype=np.float32))
    slow = ndimage.gaussian_filter(image, max(image.shape) / 8, mode="nearest")
    return ndimage.gaussian_filter(image, 1.0, mode="nearest") - slow


def _without_plane(image: np.ndarray) -> np.ndarray:
    """``image`` less its least-squares plane: a ramp (uneven illumination, a thickness wedge) is
    not moved by the tilts, and the band-pass leaves its edges, which every projection would
    share."""
    rows, cols = (np.linspace(-1.0, 1.0, n, dtype=np.float32) for n in image.shape)
    centred = image - image.mean()
    slope_rows = float((centred.mean(axis=1) * rows).sum() / (rows * rows).sum())
    slope_cols = float((centred.mean(axis=0) * cols).sum() / (cols * cols).sum())
    return centred - slope_rows * rows[:, None] - slope_cols * cols[None, :]


def _prepare(image: np.ndarray) -> np.ndarray:
    return _band(image) * radial_hann(tuple(image.shape))


def _bin(image: np.ndarray, factor: int) -> np.ndarray:
    rows, cols = (s // factor * factor for s in image.shape)
    return (
        image[:rows, :cols]
        .reshape(rows // factor, factor, cols // factor, factor)
        .mean(axis=(1, 3))
    )


def _correlate(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, float]:
    """Peak of the circular cross-correlation of prepared images: displacement of b relative to
    a."""
    correlation = np.fft.irfft2(np.fft.rfft2(b) * np.conj(np.fft.rfft2(a)), a.shape)
    k = np.unravel_index(int(np.argmax(correlation)), correlation.shape)
    step = np.zeros(2)
    for axis in range(2):
        size = correlation.shape[axis]
        index = list(k)
        values = []
        for d in (-1, 0, 1):
            index[axis] = (k[axis] + d) % size
            values.append(correlation[tuple(index)])
        curvature = values[0] - 2 * values[1] + values[2]
        delta = 0.5 * (values[0] - values[2]) / curvature if curvature < 0 else 0.0
        position = k[axis] + delta
        step[axis] = position - size if position > size / 2 else position
    norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return step, float(correlation[k] / norm) if norm > 0 else 0.0


def chance_level(reference: np.ndarray, moving: np.ndarray) -> float:
    """Largest of the :func:`chance_peaks`: when the two images share no structure, their own
    peak exceeds it with probability ``1 / (SURROGATES + 1)`` (a rank test; seeded, so
    repeatable)."""
    return max(0.0, float(chance_peaks(reference, moving).max()))


def chance_peaks(reference: np.ndarray, moving: np.ndarray) -> np.ndarray:
    """Normalised correlation peaks of ``reference`` (band-passed and windowed as
    :func:`displacement` prepares it) with ``SURROGATES`` phase-randomised copies of ``moving``:
    its band-passed image given random Fourier phases (same power spectrum, so the same size,
    smoothness and band-pass: the same effective number of independent samples), then windowed
    the same way [1]_ — the peaks the pair reaches by chance (0 for a copy without structure).

    References
    ----------
    .. [1] J. Theiler et al., Physica D 58, 77 (1992) (phase-randomised surrogates).
    """
    prepared = _prepare(reference)
    band = _band(moving)
    spectrum = np.fft.rfft2(band)
    window = radial_hann(tuple(band.shape))
    conjugate = np.conj(np.fft.rfft2(prepared))
    norm_a = float(np.sqrt((prepared * prepared).sum()))
    rng = np.random.default_rng(0)
    peaks = np.zeros(SURROGATES)
    for k in range(SURROGATES):
        phases = np.exp(2j * np.pi * rng.random(spectrum.shape))
        phases[0, 0] = 1.0
        surrogate = np.fft.irfft2(spectrum * phases, band.shape) * window
        norm = norm_a * float(np.sqrt((surrogate * surrogate).sum()))
        if norm > 0:
            correlation = np.fft.irfft2(np.fft.rfft2(surrogate) * conjugate, band.shape)
            peaks[k] = float(correlation.max()) / norm
    return peaks


def displacement(reference: np.ndarray, moving: np.ndarray) -> tuple[np.ndarray, float]:
    """Displacement (dy, dx) of ``moving``'s content relative to ``reference``, px.

    Returns
    -------
    shift : ndarray
        (dy, dx), px.
    peak : float
        Normalised correlation at the peak (0–1); what it means depends on the images' size
        and smoothness (:func:`chance_level`).
    """
    factor = max(1, min(reference.shape) // 96)
    coarse = np.zeros(2)
    if factor > 1:
        step, _ = _correlate(_prepare(_bin(reference, factor)), _prepare(_bin(moving, factor)))
        coarse = np.round(step) * factor
    shifted = ndimage.shift(np.asarray(moving, np.float32), -coarse, order=1, mode="nearest")
    a = _prepare(reference)
    fine, peak = _correlate(a, _prepare(shifted))
    for _ in range(2):
        if np.abs(fine).max() > 2 * factor + 2:
            break
        again = ndimage.shift(
            np.asarray(moving, np.float32), -(coarse + fine), order=3, mode="nearest"
        )
        residual, peak = _correlate(a, _prepare(again))
        fine = fine + residual
    return coarse + fine, peak


def _bspline3(x: np.ndarray) -> np.ndarray:
    x = np.abs(x)
    return np.where(x < 1, 2 / 3 - x**2 + x**3 / 2, np.where(x < 2, (2 - x) ** 3 / 6, 0.0))


def _translate(coefficients: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Cubic-spline image of ``coefficients`` (:func:`scipy.ndimage.spline_filter`) moved by
    ``shift`` (dy, dx) px: one 1-D correlation per axis, since a translation samples every pixel
    at the same spline phase (the same result as :func:`scipy.ndimage.shift` away from the
    edges)."""
    moved = coefficients
    for axis, s in enumerate(shift):
        moved = translate_axis(moved, s, axis)
    return moved


def translate_axis(coefficients: np.ndarray, shift: float, axis: int) -> np.ndarray:
    """The cubic-spline interpolation of :func:`_translate` along one axis."""
    whole = int(np.floor(-shift))
    reach = abs(whole) + 2
    kernel = np.zeros(2 * reach + 1)
    taps = np.arange(-1, 3)
    kernel[reach + whole + taps] = _bspline3(-shift - whole - taps)
    return ndimage.correlate1d(coefficients, kernel, axis=axis, mode="nearest")


def matched_displacement(
    reference: np.ndarray, moving: np.ndarray, *, margin: int = 3, smooth_px: float = 1.0
) -> tuple[np.ndarray, float]:
    """Displacement (dy, dx) of ``moving`` relative to a smooth ``reference``, px (≲ 3 px), and
    the Pearson r of the fit: :func:`matched_fit` without its covariance."""
    fit = matched_fit(reference, moving, margin=margin, smooth_px=smooth_px)
    return fit[0], fit[1]


def matched_fit(
    reference: np.ndarray, moving: np.ndarray, *, margin: int = 3, smooth_px: float = 1.0
) -> tuple[np.ndarray, float, np.ndarray, float]:
    """Displacement (dy, dx) of ``moving`` relative to a smooth ``reference``, px (≲ 3 px).

    Minimises ``Σ w (moving − g·reference(r − s) − b)²`` over the shift s, the
    gain g and the background b (Gauss–Newton, ≤ 8 steps, stopped where the normal equations are
    singular: a reference without structure), w = 1/expected counts.

    Parameters
    ----------
    reference, moving : ndarray
        Same-shape images; ``reference`` is the model (e.g. a re-projection).
    margin : int
        Border rows and columns left out, px (edges filled by resampling).
    smooth_px : float
        Gaussian σ applied to both images first, px.

    Returns
    -------
    shift : ndarray
        (dy, dx), px.
    peak : float
        Pearson r between ``moving`` and the fitted model.
    covariance : ndarray
        (2, 2) covariance of the shift from the shot noise of ``moving``, px²: the inverse
        Gauss–Newton curvature scaled by the weighted residual variance of the unsmoothed
        image (its noise, since the smoothing averages it over ``4π σ²`` px while the smooth
        gradient is left unchanged) — the reference's own error not included. NaN where the fit
        is singular.
    noise_variance : float
        That weighted residual variance per pixel (the covariance's scale).
    """
    raw = np.asarray(moving, np.float64)
    ref = ndimage.gaussian_filter(np.asarray(reference, np.float64), smooth_px, mode="nearest")
    mov = ndimage.gaussian_filter(raw, smooth_px, mode="nearest")
    margin = int(min(max(margin, 1), min(ref.shape) // 4))
    inner = (slice(margin, -margin), slice(margin, -margin))
    data = mov[inner].ravel()
    weight = np.sqrt(1.0 / np.maximum(ref[inner].ravel(), max(float(ref.mean()), 1e-6) * 0.1))
    shift, gain, background = np.zeros(2), 1.0, 0.0
    model = ref[inner].ravel()
    coefficients = ndimage.spline_filter(ref, order=3, mode="nearest")
    curvature = np.full((4, 4), np.nan)
    for _ in range(8):
        moved = _translate(coefficients, shift)
        gy, gx = np.gradient(moved)
        model = moved[inner].ravel()
        design = (
            np.stack(
                [model, np.ones_like(model), -gain * gy[inner].ravel(), -gain * gx[inner].ravel()],
                1,
            )
            * weight[:, None]
        )
        residual = (data - (gain * model + background)) * weight
        curvature = design.T @ design
        try:
            delta = np.linalg.solve(curvature, design.T @ residual)
        except np.linalg.LinAlgError:
            curvature = np.full((4, 4), np.nan)
            break
        gain, background, shift = gain + delta[0], background + delta[1], shift + delta[2:]
        if np.abs(delta[2:]).max() < 1e-3 or np.abs(shift).max() > margin:
            break
    peak = float(np.corrcoef(gain * model + background, data)[0, 1]) if data.std() > 0 else 0.0
    noise = ((raw[inner].ravel() - (gain * model + background)) * weight) ** 2
    try:
        covariance = np.linalg.inv(curvature)[2:, 2:] * float(np.mean(noise))
    except np.linalg.LinAlgError:
        covariance = np.full((2, 2), np.nan)
    return shift, peak, covariance, float(np.mean(noise))


def along_axis_interval(
    reference: np.ndarray,
    moving: np.ndarray,
    shift: np.ndarray,
    noise_variance: float,
    *,
    margin: int = 3,
    smooth_px: float = 1.0,
    level: float = 1.0,
    reach_px: float = 4.0,
) -> tuple[float, bool]:
    """Half-width of the profile-likelihood interval of the shift along the rows (the tilt axis in
    the axis frame), px: the largest ``|s − shift[0]|`` within ``reach_px`` (searched every
    0.25 px, the column shift held) at which the cost of :func:`matched_fit`, its gain and
    background fitted again, lies within ``level × noise_variance`` of its lowest value there.

    For a quadratic cost this is ``√level`` times the Gauss–Newton 1σ; where the cost is flat or
    has a second minimum along the axis (a projection that could lock onto a neighbouring void)
    it is wider, and ``reach_px`` when the interval is not closed within the search.

    Parameters
    ----------
    reference, moving : ndarray
        As for :func:`matched_fit`.
    shift : ndarray
        (dy, dx) found by :func:`matched_fit`, px.
    noise_variance : float
        Weighted residual variance per pixel of the unsmoothed image (the scale of
        :func:`matched_fit`'s covariance).
    margin, smooth_px : int, float
        As for :func:`matched_fit` (``reach_px`` more border is left out).
    level : float
        Rise of the cost, in units of ``noise_variance``, that bounds the interval.
    reach_px : float
        Search half-width, px.

    Returns
    -------
    half_width : float
        px.
    single : bool
        Whether the shifts within the interval are one run about the lowest cost, closed within
        the search (False: a second minimum or a cost flat to the search's edge).
    """
    ref = ndimage.gaussian_filter(np.asarray(reference, np.float64), smooth_px, mode="nearest")
    mov = ndimage.gaussian_filter(np.asarray(moving, np.float64), smooth_px, mode="nearest")
    margin = int(min(max(margin, 1) + int(np.ceil(reach_px)), min(ref.shape) // 3))
    inner = (slice(margin, -margin), slice(margin, -margin))
    weight = np.sqrt(1.0 / np.maximum(ref[inner].ravel(), max(float(ref.mean()), 1e-6) * 0.1))
    target = mov[inner].ravel() * weight
    across = translate_axis(ndimage.spline_filter(ref, order=3, mode="nearest"), shift[1], 1)
    offsets = np.arange(-reach_px, reach_px + 0.125, 0.25)
    costs = np.empty(offsets.size)
    for k, offset in enumerate(offsets):
        model = translate_axis(across, shift[0] + offset, 0)[inner].ravel()
        design = np.stack([model, np.ones_like(model)], 1) * weight[:, None]
        coefficient = np.linalg.lstsq(design.T @ design, design.T @ target, rcond=None)[0]
        costs[k] = float(np.sum((target - design @ coefficient) ** 2))
    within = costs - costs.min() <= level * noise_variance
    runs = np.flatnonzero(np.diff(np.concatenate([[0], within.astype(int), [0]])))
    single = runs.size == 2 and runs[0] > 0 and runs[1] < within.size
    return float(np.abs(offsets[within]).max()), bool(single)
