"""The front's position in each frame read from its trajectory: the frames around it too.

A frame's own erf fit scatters about the front's path by its statistical error; the front moves
smoothly over a few frames (it may stall, speed up or turn back, but not jump back and forth).
The trajectory at each frame is a weighted local-linear fit of position against frame over the
frames around it (tricube kernel, weights ``1 / noise²`` from each frame's own scatter), the
kernel's half-width chosen per movie from the track itself: the one of ``BANDWIDTHS`` whose
leave-one-out residuals have the least median absolute value (robust cross-validation). Each
frame then takes ``c = exp(-z² / 2)`` of the trajectory and ``1 - c`` of its own fit, ``z`` its
departure from the trajectory fitted without it in the 1σ of that difference (its own scatter
and the leave-one-out fit's): where the path turns faster than the kernel follows (a power
law's onset, a stall's start) the frame keeps its own fit. A turn is what the frames on one
side of it explain; a frame that departs beyond ``ASTRAY_Z`` σ from the trajectory fitted
without it *and* from the local lines through the frames before it and after it (split linear
fits, McDonald & Owen 1986; both sides measured) is not at a turn but a fit gone astray (the
front does not jump and come back), and takes the trajectory fitted without it instead.

The positions' errors persist from frame to frame (a sample's level error while the front
crosses its window, the drift's random walk), so the position's 1σ takes the frames' 1σ as
fully correlated: ``Σ |a_i| σ_i`` with ``a_i`` the weights of the frames in it (never the
``1 / √n`` of independent errors). Its scatter alone (the weights of a fit across frames) is
``√(Σ a_i² noise_i²)``.

References
----------
Cleveland, "Robust locally weighted regression and smoothing scatterplots", J. Am. Stat.
Assoc. 74, 829 (1979) — the local-linear fit with tricube weights.
Fan & Gijbels, *Local Polynomial Modelling and Its Applications* (Chapman & Hall, 1996), §4.10
— the bandwidth by cross-validation.
McDonald & Owen, "Smoothing with split linear fits", Technometrics 28, 195 (1986) — the fits
from either side of a frame, which follow a turn that the centred fit rounds.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from insitu_tem.analysis.movie.front import FrontTrack

ASTRAY_Z = 3.0
BANDWIDTHS = (2, 3, 4, 6, 8)
MIN_FRAMES = 5


def local_linear_weights(
    frames: np.ndarray,
    weights: np.ndarray,
    half_width: float,
    *,
    leave_out: bool = False,
    side: int = 0,
) -> np.ndarray:
    """Rows ``l`` such that ``l @ x`` is the weighted local-linear fit at each frame.

    Parameters
    ----------
    frames : numpy.ndarray
        (n,) frame numbers of the measured positions.
    weights : numpy.ndarray
        (n,) 1 / variance of each position, 1 / samples².
    half_width : float
        Frames either side that enter the fit (tricube kernel of radius ``half_width + 1``).
    leave_out : bool
        Fit each frame without itself (leave-one-out prediction).
    side : {0, -1, 1}
        Only the frames before (-1) or after (+1) each frame enter (the frame itself left out):
        the local line from one side, extrapolated to the frame.

    Returns
    -------
    numpy.ndarray
        (n, n) weights; a row of NaN where fewer than three frames (two from one side) enter or
        the fit is singular.
    """
    offset = frames[None, :] - frames[:, None]
    u = np.abs(offset) / (half_width + 1.0)
    inside = (u < 1) & (np.sign(offset) == side) if side else u < 1
    kernel = np.where(inside, (1 - u**3) ** 3, 0.0) * weights[None, :]
    if leave_out:
        np.fill_diagonal(kernel, 0.0)
    s0, s1, s2 = (np.sum(kernel * offset**k, axis=1) for k in range(3))
    det = s0 * s2 - s1**2
    enough = np.count_nonzero(kernel, axis=1) >= (2 if side else 3)
    usable = enough & (det > 1e-9 * np.maximum(s0 * s2, 1e-300))
    with np.errstate(divide="ignore", invalid="ignore"):
        rows = kernel * (s2[:, None] - s1[:, None] * offset) / det[:, None]
    return np.where(usable[:, None], rows, np.nan)


def bandwidth(frames: np.ndarray, positions: np.ndarray, weights: np.ndarray) -> float | None:
    """The half-width of :data:`BANDWIDTHS` whose leave-one-out residuals have the least median
    absolute value, frames; None when none predicts at least 80 % of the frames."""
    best = None
    for half_width in BANDWIDTHS:
        predicted = local_linear_weights(frames, weights, half_width, leave_out=True) @ positions
        known = np.isfinite(predicted)
        if known.sum() < 0.8 * positions.size:
            continue
        score = float(np.median(np.abs(positions[known] - predicted[known])))
        if best is None or score < best[0]:
            best = (score, half_width)
    return None if best is None else best[1]


def along_trajectory(track: FrontTrack) -> FrontTrack:
    """``track`` with each measured frame's position, 1σ and scatter from its trajectory (the
    module's description); unchanged when fewer than ``MIN_FRAMES`` frames are measured or the
    track has no per-frame scatter. Frames not measured stay so."""
    noise = track.position_noise
    if not track.ok or noise is None:
        return track
    measured = np.isfinite(track.position) & np.isfinite(noise) & (noise > 0)
    measured &= np.isfinite(track.position_sigma)
    if measured.sum() < MIN_FRAMES:
        return track
    index = np.flatnonzero(measured)
    frames, positions = index.astype(float), track.position[index]
    variance = noise[index] ** 2
    weights = 1.0 / variance
    half_width = bandwidth(frames, positions, weights)
    if half_width is None:
        return track
    rows = local_linear_weights(frames, weights, half_width)
    left_out = local_linear_weights(frames, weights, half_width, leave_out=True)
    departure = _departure2(positions, variance, left_out)
    usable = np.isfinite(rows).all(axis=1) & np.isfinite(departure)
    share = np.where(usable, np.exp(-0.5 * np.nan_to_num(departure)), 0.0)
    mixed = share[:, None] * np.nan_to_num(rows) + np.diag(1.0 - share)
    astray = usable & (departure > ASTRAY_Z**2)
    for side in (-1, 1):
        one_sided = local_linear_weights(frames, weights, half_width, side=side)
        astray &= _departure2(positions, variance, one_sided) > ASTRAY_Z**2
    mixed[astray] = left_out[astray]
    position, sigma, scatter = (
        track.position.copy(),
        track.position_sigma.copy(),
        noise.copy(),
    )
    position[index] = mixed @ positions
    sigma[index] = np.abs(mixed) @ track.position_sigma[index]
    scatter[index] = np.sqrt(mixed**2 @ variance)
    return replace(track, position=position, position_sigma=sigma, position_noise=scatter)


def _departure2(positions: np.ndarray, variance: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Squared departure of each position from the fit ``rows`` that leaves it out, in units of
    the variance of that difference (its own and the fit's); NaN where the fit is not made."""
    known = np.isfinite(rows).all(axis=1)
    weights = np.nan_to_num(rows)
    departure = positions - weights @ positions
    return np.where(known, departure**2 / (variance + weights**2 @ variance), np.nan)
