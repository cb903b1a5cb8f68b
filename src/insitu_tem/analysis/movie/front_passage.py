"""Front positions from when each pixel of the band changes, each pixel compared with itself.

The drift-corrected band a kymograph averages (frames × samples along the line × offsets
across it) follows the specimen, so each of its pixels sees one specimen point change once
from pristine to reacted. Every pixel's own time series ``y(t) = K(t) / b(t)`` is read as

    ``y(t) = L(t) + x(t) C + noise``,   ``x(t) = clip((t - τ) / r + 1/2, 0, 1)``

— a passage at frame ``τ`` (half-frame grid) lasting ``r`` frames (``RAMP_FRAMES``: a diffuse
front takes several frames to pass), or none in the movie (reacted or pristine throughout).
The pixel's level ``L`` starts at ``N(P(s), s_P²)`` and walks (variance ``w_P`` per frame
before the passage, ``w_R`` from its start: a reacted texture that changes in time), and the
contrast is ``C ~ N(C(s), s_C²)``; ``P(s)``, ``C(s)`` are the sample's levels, ``s_P``, ``s_C``
the spread of the pixels' levels about their sample's and ``w_P``, ``w_R`` the random walk of
the pure-state frames (lag-5 less lag-1 differences), all from the movie. The likelihood of
each (τ, r) is a Kalman filter's (the level local in time to the passage, not a mean over the
movie), its prior the tracked front's path (the sample reacted by frame t with probability
``Φ((reach(t) - s) / PRIOR_PX)``, ``reach`` the farthest point the track has reached). Each
pixel's reacted fraction in each frame is the posterior mean of ``x(t)``: 0 or 1 where the
passage is certain, fractional only within its uncertainty. A row's front is where a sharp
front leaves the same reacted area, and the frame's position is the equal-weight mean over the
rows — the width-averaged position's own definition, with no contrast weighting.

Those errors persist from frame to frame (a pixel's level, the drift), so the trajectory that
averages the erf fits' frame-to-frame scatter (:func:`along_trajectory`) does not reduce them;
the erf fits' own errors are mostly that scatter. The two readings are therefore combined after
the trajectory: the passage reading has no calibrated 1σ of its own, so it takes the
trajectory's, and two readings with the same 1σ are averaged with equal weight — where they
agree within ``AGREE_Z`` σ of their difference (√2 σ). Elsewhere the frame keeps its
trajectory: pixels seen in one state only (a front still at the movie's start, its end, a
reversal that returns pixels to the pristine state) carry no passage of their own. The 1σ stays
the trajectory's (the two readings' errors share the drift and the levels).

A sample the levels found only partly reacted at the movie's end (a front stopped inside its
own diffuse zone, :attr:`StateModel.end`) is read to its own end level: its contrast and its
pixels' reacted fractions are that end fraction times the full ones, so it is not counted as
passed. Not when the band's rows disagree on it (a rough front, whose pixels have each passed
or not: :func:`~insitu_tem.analysis.movie.front_end.rows_disagree`).

References
----------
Harvey, *Forecasting, Structural Time Series Models and the Kalman Filter* (Cambridge, 1989),
§3.4 — the likelihood of a local-level model by its prediction errors.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.special import ndtr

from insitu_tem.analysis.movie.front import FrontTrack
from insitu_tem.analysis.movie.front_end import rows_disagree
from insitu_tem.analysis.movie.front_profile import pure_fraction
from insitu_tem.analysis.movie.front_states import StateModel, robust_sigma

AGREE_Z = 3.0
PRIOR_PX = 4.0
RAMP_FRAMES = (1.0, 2.0, 4.0, 8.0, 16.0)
BLOCK_SAMPLES = 4
LOG_PRIOR_CUT = np.log(1e-12)
EDGE_FRAMES = 5
MAX_FRAMES = 120


def with_passages(
    track: FrontTrack, band, model: StateModel, fits: list, path: np.ndarray
) -> FrontTrack:
    """``track`` with each measured frame's position the equal-weight mean of its own and the
    band's pixel passages' reading where the two agree within ``AGREE_Z`` σ of their difference
    (the module's description).

    Parameters
    ----------
    track : FrontTrack
        The front along its trajectory (:func:`along_trajectory`), samples.
    band : array_like
        (n_frames, n_samples, n_offsets) drift-corrected band, intensity.
    model : StateModel
        The tracker's last levels and beam.
    fits : list
        The tracker's last per-frame fits (:class:`ProfileFit` or None).
    path : numpy.ndarray
        (n_frames,) per-frame erf fits the passages' prior follows, samples (NaN: none).

    Returns
    -------
    FrontTrack
        Positions changed where the readings agree; 1σ, scatter and presence unchanged.
    """
    measured = np.isfinite(track.position)
    if not track.ok or not measured.any() or not np.isfinite(path).any():
        return track
    position = passage_positions(np.asarray(band, float), model, fits, path)
    agree = np.abs(position - track.position) <= AGREE_Z * np.sqrt(2) * track.position_sigma
    mean = (position + track.position) / 2
    return replace(track, position=np.where(measured & agree, mean, track.position))


def passage_positions(
    band: np.ndarray, model: StateModel, fits: list, position: np.ndarray
) -> np.ndarray:
    """(n_frames,) width-averaged front position (samples) from the pixels' passages;
    ``position`` the tracked path (samples, NaN where not measured).

    The model grid grows as frames², so a movie longer than ``MAX_FRAMES`` is read on the means
    of ``k`` consecutive frames (``k`` the fewest that leave at most ``MAX_FRAMES``), and the
    positions interpolated to its frames from the bins' centres.
    """
    if model.end is not None and rows_disagree(band, model):
        model = replace(model, end=None)
    n_frames = band.shape[0]
    if n_frames <= MAX_FRAMES:
        return _read(band, model.beam, model, fits, position)
    starts = np.arange(0, n_frames, -(-n_frames // MAX_FRAMES))
    counts = np.diff(np.append(starts, n_frames))

    def mean(values):
        sums = np.add.reduceat(values, starts, axis=0)
        return sums / counts.reshape((-1,) + (1,) * (sums.ndim - 1))

    known = np.add.reduceat(np.isfinite(position), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        path = np.add.reduceat(np.nan_to_num(position), starts) / known
    middle = starts + counts // 2
    read = _read(mean(band), mean(model.beam), model, [fits[i] for i in middle], path)
    return np.interp(np.arange(n_frames), starts + (counts - 1) / 2, read)


def _read(band, beam, model: StateModel, fits: list, position) -> np.ndarray:
    """:func:`passage_positions` of every frame of ``band`` (beam ``beam``)."""
    n_frames, n_samples, n_rows = band.shape
    y = (band / beam[:, None, None]).reshape(n_frames, -1)
    sigma = np.maximum(robust_sigma(np.diff(y, axis=0), axis=0) / np.sqrt(2), 1e-9)
    labels = np.repeat(_labels(fits, n_samples, model.direction, n_frames), n_rows, axis=1)
    pristine = np.repeat(model.pristine, n_rows)
    end = np.ones(n_samples) if model.end is None else model.end
    contrast = np.repeat((model.reacted - model.pristine) * end, n_rows)
    spreads = _level_spreads(y, labels, pristine, contrast, sigma)
    walks = (_walk_variance(y, labels == 0), _walk_variance(y, labels == 1))
    design = _design(n_frames)
    prior = np.log(_prior(position, n_samples, model.direction, design))
    prior -= prior.max(axis=0)
    phi = np.empty_like(y)
    for first in range(0, n_samples, BLOCK_SAMPLES):
        block = slice(first, first + BLOCK_SAMPLES)
        models = np.flatnonzero((prior[:, block] > LOG_PRIOR_CUT).any(axis=1))
        cut = slice(first * n_rows, min(first + BLOCK_SAMPLES, n_samples) * n_rows)
        loglik = _kalman(
            y[:, cut], sigma[cut], pristine[cut], contrast[cut], spreads, walks, design[models]
        )
        post = loglik + np.repeat(prior[models, block], n_rows, axis=1)
        post = np.exp(post - post.max(axis=0))
        post /= post.sum(axis=0)
        phi[:, cut] = design[models].T @ post
    area = (phi.reshape(n_frames, n_samples, n_rows) * end[:, None]).sum(axis=1)
    rows = area - 0.5 if model.direction > 0 else n_samples - 0.5 - area
    return rows.mean(axis=1)


def _labels(fits: list, n_samples: int, direction: int, n_frames: int) -> np.ndarray:
    """(n_frames, n_samples) pure states the fits imply (0, 1, NaN unknown)."""
    unknown = np.full(n_samples, np.nan)
    rows = [unknown if f is None else pure_fraction(n_samples, f, direction) for f in fits]
    return np.array(rows).reshape(n_frames, n_samples)


def _level_spreads(y, labels, pristine, contrast, sigma) -> tuple[float, float]:
    """Spread of the pixels' pristine level and contrast about their sample's, less the noise
    of their means (pixels with ≥ 3 frames in a state)."""
    counts = [np.sum(labels == state, axis=0) for state in (0, 1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = [np.nansum(np.where(labels == s, y, 0.0), 0) / counts[s] for s in (0, 1)]
    seen_p = counts[0] >= 3
    both = seen_p & (counts[1] >= 3)
    noise2 = float(np.median(sigma**2))
    floor = 1e-6 * float(np.median(np.abs(contrast))) ** 2
    spread_p = robust_sigma((means[0] - pristine)[seen_p]) ** 2 - noise2 / 10
    spread_c = robust_sigma((means[1] - means[0] - contrast)[both]) ** 2 - noise2 / 5
    return (
        float(np.sqrt(max(np.nan_to_num(spread_p), floor))),
        float(np.sqrt(max(np.nan_to_num(spread_c), floor))),
    )


def _walk_variance(y: np.ndarray, state: np.ndarray) -> float:
    """Per-frame random-walk variance of a state's level: (lag-5 − lag-1 difference variance)
    / 4 over the frames both in that state; 0 with too few."""

    def variance(lag):
        ok = state[lag:] & state[:-lag]
        if ok.sum() <= 50:
            return np.nan
        return robust_sigma((y[lag:] - y[:-lag])[ok]) ** 2

    v1, v5 = variance(1), variance(5)
    return max((v5 - v1) / 4, 0.0) if np.isfinite(v1) and np.isfinite(v5) else 0.0


def _taus(n_frames: int, ramp: float) -> np.ndarray:
    """Passage times (half-frame grid) of a ramp lasting ``ramp`` frames that change at least
    one frame: it may have begun before the first frame or end after the last."""
    return np.arange(-ramp / 2, n_frames - 1 + ramp / 2 + 1e-9, 0.5)


def _design(n_frames: int) -> np.ndarray:
    """(n_models, n_frames) reacted fraction x(t) of every (τ, r), then reacted and pristine
    throughout."""
    t = np.arange(n_frames)
    ramps = [
        np.clip((t[None, :] - _taus(n_frames, r)[:, None]) / r + 0.5, 0, 1) for r in RAMP_FRAMES
    ]
    return np.vstack([*ramps, np.ones(n_frames), np.zeros(n_frames)])


def _reach(position: np.ndarray, direction: int):
    """The farthest point the tracked path has reached by time t (frames), as a function of t;
    before its first and after its last measured frame (a front not yet on the line, or gone
    from it, or the movie's ends) extended at the path's mean rate over the ``EDGE_FRAMES``
    measured frames at that end."""
    frames = np.flatnonzero(np.isfinite(position)).astype(float)
    reach = np.maximum.accumulate(direction * position[frames.astype(int)])
    span = min(EDGE_FRAMES, reach.size - 1)
    rates = [
        (reach[span] - reach[0]) / max(frames[span] - frames[0], 1.0),
        (reach[-1] - reach[-1 - span]) / max(frames[-1] - frames[-1 - span], 1.0),
    ]

    def at(time):
        time = np.asarray(time, dtype=float)
        before = reach[0] + rates[0] * np.minimum(time - frames[0], 0.0)
        after = reach[-1] + rates[1] * np.maximum(time - frames[-1], 0.0)
        inside = np.interp(time, frames, reach)
        return np.where(time < frames[0], before, np.where(time > frames[-1], after, inside))

    return at


def _prior(position: np.ndarray, n_samples: int, direction: int, design: np.ndarray):
    """(n_models, n_samples) prior mass of each model from the tracked path: the passage time
    from the path's reach, the ramp uniform over ``RAMP_FRAMES``; a ramp's mass before its first
    τ is reacted throughout, after its last τ pristine throughout."""
    n_frames = design.shape[1]
    reach = _reach(position, direction)
    samples = direction * np.arange(n_samples, dtype=float)

    def reacted_by(time):
        return ndtr((reach(time)[:, None] - samples[None, :]) / PRIOR_PX)

    share = 1.0 / len(RAMP_FRAMES)
    ramps, reacted, pristine = [], 0.0, 0.0
    for ramp in RAMP_FRAMES:
        taus = _taus(n_frames, ramp)
        ramps.append(np.maximum(reacted_by(taus + 0.25) - reacted_by(taus - 0.25), 0.0) * share)
        reacted = reacted + reacted_by(taus[:1] - 0.25) * share
        pristine = pristine + (1 - reacted_by(taus[-1:] + 0.25)) * share
    return np.maximum(np.vstack([*ramps, reacted, pristine]), 1e-300)


def _kalman(y, sigma, pristine, contrast, spreads, walks, design) -> np.ndarray:
    """(n_models, n_pixels) log likelihood of each model: a Kalman filter over the frames with
    state (level, contrast), in float32 (in place)."""
    shape = (design.shape[0], y.shape[1])
    f32 = np.float32
    level = np.broadcast_to(pristine.astype(f32), shape).copy()
    step = np.broadcast_to(contrast.astype(f32), shape).copy()
    v_ll = np.full(shape, spreads[0] ** 2, f32)
    v_lc = np.zeros(shape, f32)
    v_cc = np.full(shape, spreads[1] ** 2, f32)
    noise2 = (sigma**2).astype(f32)
    loglik = np.zeros(shape, f32)
    error, k_l, k_c, total, work = (np.empty(shape, f32) for _ in range(5))
    frames = y.astype(f32)
    for t in range(y.shape[0]):
        x = design[:, t][:, None].astype(f32)
        np.multiply(x, step, out=error)
        np.subtract(frames[t], level, out=work)
        np.subtract(work, error, out=error)
        np.multiply(x, v_lc, out=k_l)
        k_l += v_ll
        np.multiply(x, v_cc, out=k_c)
        k_c += v_lc
        np.multiply(x, k_c, out=total)
        total += k_l
        total += noise2
        np.log(total, out=work)
        loglik -= 0.5 * work
        np.square(error, out=work)
        work /= total
        loglik -= 0.5 * work
        error /= total
        v_ll -= k_l * k_l / total
        v_lc -= k_l * k_c / total
        v_cc -= k_c * k_c / total
        level += k_l * error
        step += k_c * error
        v_ll += np.where(x > 0, f32(walks[1]), f32(walks[0]))
    return loglik.astype(float)
