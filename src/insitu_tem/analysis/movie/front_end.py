"""Samples a stopped front leaves partly reacted at the movie's end, and whether they are read.

A front that stops leaves the samples in its diffuse zone at a level between their pristine and
reacted ones for the rest of the movie; reading them against their full reacted level counts
them as passed. :func:`end_levels` finds them (:func:`end_fraction`, from the last
``END_STATE_FRAMES`` frames) and keeps them only when the front has stopped: the reacted area
over them does not change over the movie's last tenth beyond ``CHANGE_Z`` σ of its own noise
(:func:`still_moving`). A front still moving also leaves partly reacted samples in the last
frames, and reading to them would pull the late frames to where the front was then.

The area's noise is correlated in time (the levels, the beam and the texture are shared by
consecutive frames), so the slope's 1σ is that of a first-order autoregressive residual: the
white-noise one times ``√((1 + ρ) / (1 − ρ))``, ρ the lag-1 correlation of the residuals about
local lines.

The pixel passages read the end fractions only where the band's rows share them
(:func:`rows_disagree`): a rough front leaves a partial row average whose pixels have each
passed or not, and those the passages read one by one.

References
----------
Bartlett, "Some aspects of the time-correlation problem in regard to tests of significance",
J. R. Stat. Soc. 98, 536 (1935) — the variance inflation of a mean or slope under AR(1) errors.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.special import ndtr

from insitu_tem.analysis.movie.front_states import (
    CHANGE_Z,
    NOISE_FLOOR,
    PURE,
    StateModel,
    change_points,
    robust_sigma,
)

END_STATE_FRAMES = 3


def end_levels(image: np.ndarray, model: StateModel, fits: list) -> np.ndarray | None:
    """(n_samples,) end fraction of each sample (:func:`end_fraction`) when the front stopped
    inside the line before the movie's end, None otherwise."""
    end = end_fraction(image, model, moving_width(fits))
    if np.all(end == 1):
        return None
    phi, _ = model.fraction(image)
    area = np.nansum(phi[:, end < 1], axis=1)
    if still_moving(area, frames=end_frames(image.shape[0])):
        return None
    return end


def end_frames(n_frames: int) -> int:
    """Number of frames read as the movie's end: a tenth of them, at least 3."""
    return max(3, n_frames // 10)


def moving_width(fits: list) -> float:
    """Median erf width (samples) over the frames whose front moves between their neighbours
    beyond 2√2 × the position noise (from the second differences); 0 with fewer than 3."""
    position = np.array([np.nan if f is None else f.position for f in fits])
    width = np.array([np.nan if f is None else f.width for f in fits])
    noise = robust_sigma(position[2:] - 2 * position[1:-1] + position[:-2]) / np.sqrt(6)
    moving = np.zeros(position.size, bool)
    with np.errstate(invalid="ignore"):
        moving[1:-1] = np.abs(position[2:] - position[:-2]) > 2 * np.sqrt(2) * noise
    return float(np.median(width[moving])) if moving.sum() >= 3 else 0.0


def still_moving(area: np.ndarray, *, frames: int) -> bool:
    """Whether ``area`` (per frame) has a slope over its last ``frames`` frames beyond
    ``CHANGE_Z`` × its 1σ (:func:`correlated_noise`)."""
    window = 2 * (frames // 2) + 1
    if area.size < 2 * window or not np.all(np.isfinite(area)):
        return True
    sigma, inflation = correlated_noise(area, window)
    x = np.arange(frames) - (frames - 1) / 2
    slope = float(x @ area[-frames:] / (x @ x))
    return abs(slope) > CHANGE_Z * max(sigma / np.sqrt(x @ x) * inflation, NOISE_FLOOR)


def correlated_noise(area: np.ndarray, window: int) -> tuple[float, float]:
    """1σ of ``area`` per frame and the AR(1) inflation ``√((1 + ρ) / (1 − ρ))`` of a mean or
    slope over consecutive frames.

    The noise is the robust spread of the residuals about local lines over ``window`` frames
    (whose centre value is the window's mean), corrected for the fit; ρ is their lag-1
    correlation corrected for the same fit, kept in [0, 0.9].
    """
    half = window // 2
    residual = (area - ndimage.uniform_filter1d(area, window, mode="nearest"))[half:-half]
    sigma = float(robust_sigma(residual)) / np.sqrt(1 - 1 / window)
    fit_bias = (window + 1) / (window * (window - 1))
    rho = float(np.clip(np.corrcoef(residual[1:], residual[:-1])[0, 1] + fit_bias, 0.0, 0.9))
    return sigma, float(np.sqrt((1 + rho) / (1 - rho)))


def end_fraction(image: np.ndarray, model: StateModel, width: float) -> np.ndarray:
    """(n_samples,) reacted fraction each sample has reached at the movie's end: below ``PURE``
    where a front stopped inside its own diffuse zone leaves samples partly reacted, else 1.

    Each significantly changed sample's whole change (the median of the last
    ``END_STATE_FRAMES`` frames against the median before its change point, relative to its
    level) is divided by the line's median one, ``q(s)``. The front's profile at the movie's
    end, an erf of the movie's front ``width`` (samples) at a free position, must fit ``q(s)``
    better than "all 1" beyond ``CHANGE_Z`` σ (σ the robust spread of ``q``) and reach both
    ``PURE`` and ``1 - PURE`` on the line (the whole diffuse zone on it); the fraction is that
    erf.
    """
    data = image / model.beam[:, None]
    direction = model.direction
    ones = np.ones(data.shape[1])
    frame, step, z = change_points(data)
    strong = np.flatnonzero(z > CHANGE_Z + np.sqrt(2 * np.log(image.size)))
    if strong.size:
        strong = strong[np.sign(step[strong]) == np.sign(np.median(step[strong]))]
    if strong.size < 6 or not width > 0:
        return ones
    before = np.array([np.median(data[: frame[k], k]) for k in strong])
    if not np.all(before > 0):
        return ones
    last = np.median(data[-END_STATE_FRAMES:, strong], axis=0)
    q = (last - before) / before
    q = q / np.median(q)
    noise = max(float(robust_sigma(q)), NOISE_FLOOR)
    span = np.arange(-0.5, data.shape[1] - 0.5 + 1e-9, 0.25)
    chi = np.sum(((q - ndtr(direction * (span[:, None] - strong) / width)) / noise) ** 2, axis=1)
    if np.sum(((q - 1) / noise) ** 2) - chi.min() <= CHANGE_Z**2:
        return ones
    reached = ndtr(direction * (span[np.argmin(chi)] - np.arange(data.shape[1])) / width)
    if reached.max() < PURE or reached.min() > 1 - PURE:
        return ones
    return np.where(reached < PURE, reached, 1.0)


def rows_disagree(band: np.ndarray, model: StateModel) -> bool:
    """Whether the band's rows disagree on the end fraction of the partly reacted samples
    beyond ``CHANGE_Z`` σ: a rough front, whose pixels have each passed or not, rather than a
    diffuse zone every row shares.

    Each pixel's whole change (mean of the last :func:`end_frames` frames less the mean before
    its sample's change point) scatters about its sample's mean by the noise of those means and
    the contrast's own spread across pixels (from the fully changed samples), times ``end``;
    the χ² of that scatter over the partly reacted samples is compared with its dof.
    """
    y = band / model.beam[:, None, None]
    frames = end_frames(y.shape[0])
    frame, _, z = change_points(y.mean(axis=2))
    noise2 = (robust_sigma(np.diff(y, axis=0), axis=0) / np.sqrt(2)) ** 2
    first = np.maximum(frame, 3)

    def change(s):
        before = y[: first[s], s].mean(axis=0)
        return y[-frames:, s].mean(axis=0) - before, noise2[s] * (1 / frames + 1 / first[s])

    strong = z > CHANGE_Z + np.sqrt(2 * np.log(y.shape[0] * y.shape[1]))
    full = np.flatnonzero((model.end == 1) & strong)
    partial = np.flatnonzero((model.end > 1 - PURE) & (model.end < PURE))
    if partial.size == 0 or y.shape[2] < 2:
        return False
    excess = [np.var(c, ddof=1) - np.mean(v) for c, v in map(change, full)]
    spread2 = max(float(np.median(excess)), 0.0) if excess else 0.0
    chi, dof = 0.0, 0
    for s in partial:
        c, v = change(s)
        chi += float(np.sum((c - c.mean()) ** 2 / (v + spread2 * model.end[s] ** 2)))
        dof += c.size - 1
    return (chi - dof) / np.sqrt(2 * dof) > CHANGE_Z
