"""Automatic reaction-front tracking along a line, from its kymograph.

The front is found from *when each sample changes*, not from edges in single frames, so the
specimen's texture on either side, static edges, the beam current and the polarity do not
mislead it (:mod:`~insitu_tem.analysis.movie.front_states`):

1. Change points: each sample's time series (beam-normalised) is split where a single step
   explains it best; samples whose step is significant against their frame-to-frame noise tell
   which side reacts (the order in which they change) and whether it darkens or brightens.
2. States and levels: every sample's pristine and reacted level, the beam current per frame and
   the noise are estimated from the frames in which it is known to be in each state.
3. Per frame, the reacted fraction ``φ = (K / b - P) / (R - P)`` along the line is fitted with an
   erf (:mod:`~insitu_tem.analysis.movie.front_profile`); the front is present when it lies on
   the line and is significant (evidence ≥ ``min_evidence``, a squared z-score).
4. Steps 2-3 are repeated with the states implied by the fitted positions; on a kymograph that
   follows the specimen, a sample those leave in one state only takes its states from its own
   change of either sign, if significant and in the order a front passes the samples
   (:func:`~insitu_tem.analysis.movie.front_states.own_changes`).
5. A frame whose erf is far wider than the movie's front (beyond its own 1σ and the spread of
   the widths) is not measured (:mod:`~insitu_tem.analysis.movie.front_width`).
6. On a kymograph that follows the specimen, the samples a front that stopped inside its own
   diffuse zone leaves partly reacted at the movie's end are found from their whole changes,
   kept only when the reacted area over them no longer changes in the last frames
   (:mod:`~insitu_tem.analysis.movie.front_end`), for the pixel passages
   (:attr:`StateModel.end`). The final per-frame fits read them to that end fraction when the
   front is shown stopped there and the end state holds
   (:mod:`~insitu_tem.analysis.movie.front_stall`).

The position is the width-averaged one: the centre of the erf fitted to the reacted fraction
averaged across the line's width. Its 1σ combines the fit's statistical error (scaled by the
local reduced χ² when it exceeds 1 and by the correlation of the residuals along the line) with
the frozen error of the per-sample levels, which enters every frame alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from insitu_tem.analysis.movie.front_decline import NO_STEP, no_front_reason
from insitu_tem.analysis.movie.front_end import end_levels
from insitu_tem.analysis.movie.front_profile import ProfileFit, correlation_factor, fit_profile
from insitu_tem.analysis.movie.front_profile import on_line, pure_fraction
from insitu_tem.analysis.movie.front_stall import stall_end
from insitu_tem.analysis.movie.front_states import (
    StateModel,
    direction_and_sign,
    estimate_model,
    fill_one_sided,
    initial_beam,
    initial_fraction,
    own_changes,
)
from insitu_tem.analysis.movie.front_width import too_wide

MIN_EVIDENCE = 25.0
NO_FRONT = f"{NO_STEP}; widen the line or check that the front crosses it"
NO_PROFILE = "fewer than 6 samples of the line have a known reacted fraction"
WEAK_FRONT = (
    "no front in this frame: its erf beats all pristine or all reacted by Δχ² {:.0f} < {:g}"
)
OFF_LINE = (
    "the front lies off the line, or within its 1σ of the end it moves towards, where it "
    "cannot be told from one that has left the line"
)
TOO_WIDE = (
    "the front's erf is far wider than this movie's front: the levels near it are wrong or the "
    "front is leaving the line"
)


@dataclass(frozen=True)
class FrontTrack:
    """Front position along a line in every frame.

    Attributes
    ----------
    position : numpy.ndarray
        (n_frames,) front position in samples along the line (px when the
        kymograph step is 1 px); NaN where the front is absent.
    position_sigma : numpy.ndarray
        (n_frames,) 1σ of ``position`` (statistical, level and model terms; the drift's error
        along the line too after :func:`~insitu_tem.analysis.movie.front_line.with_drift_error`),
        samples; NaN where absent.
    confidence : numpy.ndarray
        (n_frames,) 0-1; 0 where absent.
    width : numpy.ndarray
        (n_frames,) fitted erf width (Gaussian σ), samples.
    present : numpy.ndarray
        (n_frames,) bool.
    polarity : int
        +1 when intensity rises across the front along the line, -1 when it falls.
    ok : bool
        False when the front was never found.
    reason : str
        Why ``ok`` is False.
    position_noise : numpy.ndarray or None
        (n_frames,) the frame's scatter alone (:attr:`ProfileFit.noise`, the residuals'
        correlation and the drift's error), samples: weights for a fit across frames, whose
        errors that persist from frame to frame the fit's own correlation model covers.
    frame_reason : tuple of str
        (n_frames,) why each frame is not measured ("" where it is); empty when not recorded.
    """

    position: np.ndarray
    position_sigma: np.ndarray
    confidence: np.ndarray
    width: np.ndarray
    present: np.ndarray
    polarity: int
    ok: bool = True
    reason: str = ""
    position_noise: np.ndarray | None = None
    frame_reason: tuple[str, ...] = ()


def auto_polarity(image: np.ndarray) -> int:
    """+1 if intensity rises along the line across the moving front, −1 if it falls (+1 when
    no sample changes significantly)."""
    found = direction_and_sign(np.asarray(image, dtype=float), polarity=None)
    return 1 if found is None else -found[0] * found[1]


def _fit_frames(
    image: np.ndarray,
    model: StateModel,
    previous: list | None,
    *,
    interval: bool = False,
    end: np.ndarray | None = None,
) -> list[ProfileFit | None]:
    phi, sigma = model.fraction(image)
    if end is not None:
        phi = phi * end[None, :]
    starts = [
        None
        if previous is None or previous[t] is None
        else (previous[t].position, previous[t].width)
        for t in range(image.shape[0])
    ]
    return [
        fit_profile(phi[t], sigma, direction=model.direction, start=starts[t], interval=interval)
        for t in range(image.shape[0])
    ]


def _refit(image, fraction, beam, direction, previous=None) -> tuple[StateModel, list] | None:
    model = estimate_model(image, fraction, beam, direction)
    return None if model is None else (model, _fit_frames(image, model, previous))


def _fraction_from_fits(fits: list, n_samples: int, direction: int) -> np.ndarray:
    rows = [
        pure_fraction(n_samples, f, direction) if f is not None else np.full(n_samples, np.nan)
        for f in fits
    ]
    return np.array(rows)


def _states(data: np.ndarray, model: StateModel, fits: list, *, follows_specimen: bool):
    fraction = _fraction_from_fits(fits, data.shape[1], model.direction)
    if not follows_specimen:
        return fraction
    return fill_one_sided(fraction, own_changes(data, model.beam, model.direction))


def track_front(
    image,
    *,
    polarity: int | str = "auto",
    min_evidence: float = MIN_EVIDENCE,
    rounds: int = 4,
    follows_specimen: bool = False,
) -> FrontTrack:
    """Track a reaction front through a kymograph by per-sample change detection.

    Parameters
    ----------
    image : array_like
        (n_frames, n_samples) kymograph (:attr:`Kymograph.image`), drift-corrected.
    polarity : {"auto", 1, -1}
        +1 if intensity rises along the line across the front, −1 if it falls; "auto" finds it
        from which samples change and how.
    min_evidence : float
        Squared significance (χ² units) a frame's front must reach to count as present.
    rounds : int
        Refinements of the levels from the tracked positions.
    follows_specimen : bool
        The kymograph follows the specimen (drift-corrected), so each sample sees one specimen
        point: a sample the fitted fronts see in one state only takes its states from its own
        change of either sign (:func:`~insitu_tem.analysis.movie.front_states.own_changes`; the
        texture can make the reacted side locally brighter, and a level filled from the rest of
        the line holds the front back). Off for raw frames, where texture sliding through a
        sample looks like a change.

    Returns
    -------
    FrontTrack
        ``ok=False`` with the reason when no sample changes like a passing front.
    """
    return track_front_levels(
        image,
        polarity=polarity,
        min_evidence=min_evidence,
        rounds=rounds,
        follows_specimen=follows_specimen,
    )[0]


def track_front_levels(
    image,
    *,
    polarity: int | str = "auto",
    min_evidence: float = MIN_EVIDENCE,
    rounds: int = 4,
    follows_specimen: bool = False,
) -> tuple[FrontTrack, StateModel | None, list]:
    """:func:`track_front`, with the last levels and per-frame fits it read the frames with
    (None and [] when no front was found)."""
    data = np.asarray(image, dtype=float)
    if data.ndim != 2 or data.shape[1] < 8:
        raise ValueError("track_front needs a (frames, samples) kymograph at least 8 samples long")
    if polarity != "auto" and polarity not in (1, -1):
        raise ValueError(f"polarity must be 'auto', 1 or -1, got {polarity!r}")
    found = (
        direction_and_sign(data, polarity=None if polarity == "auto" else int(polarity))
        if data.shape[0] > 2
        else None
    )
    if found is None:
        sign = None if polarity == "auto" else int(polarity)
        reason = no_front_reason(data, polarity=sign) if data.shape[0] > 2 else NO_FRONT
        return (
            _absent(data.shape[0], 1 if polarity == "auto" else int(polarity), reason),
            None,
            [],
        )
    direction, sign, frame, changed = found
    fitted = _refit(
        data, initial_fraction(frame, changed, data.shape[0]), initial_beam(data), direction
    )
    for _ in range(rounds):
        if fitted is None:
            break
        model, fits = fitted
        fitted = (
            _refit(
                data,
                _states(data, model, fits, follows_specimen=follows_specimen),
                model.beam,
                direction,
                fits,
            )
            or fitted
        )
    if fitted is None:
        return _absent(data.shape[0], -direction * sign, NO_FRONT), None, []
    model, fits = fitted
    end = None
    if follows_specimen:
        model = replace(model, end=end_levels(data, model, fits))
        end = stall_end(data, model, fits)
    fits = _fit_frames(data, model, fits, interval=True, end=end)
    track = _summarise(model, fits, min_evidence=min_evidence, polarity=-direction * sign)
    return _without_wide(track, data, model), model, fits


def _absent(n_frames: int, polarity: int, reason: str) -> FrontTrack:
    nan = np.full(n_frames, np.nan)
    return FrontTrack(
        nan,
        nan.copy(),
        np.zeros(n_frames),
        nan.copy(),
        np.zeros(n_frames, bool),
        polarity,
        False,
        reason,
        frame_reason=(reason,) * n_frames,
    )


def _without_wide(track: FrontTrack, image: np.ndarray, model: StateModel) -> FrontTrack:
    """``track`` without the frames whose erf is far wider than the movie's front
    (:func:`~insitu_tem.analysis.movie.front_width.too_wide`)."""
    if not track.ok:
        return track
    wide = too_wide(*model.fraction(image), track.position, track.width, model.direction)
    if not wide.any():
        return track
    return replace(
        track,
        position=np.where(wide, np.nan, track.position),
        position_sigma=np.where(wide, np.nan, track.position_sigma),
        confidence=np.where(wide, 0.0, track.confidence),
        width=np.where(wide, np.nan, track.width),
        present=track.present & ~wide,
        position_noise=None
        if track.position_noise is None
        else np.where(wide, np.nan, track.position_noise),
        frame_reason=tuple(TOO_WIDE if w else r for w, r in zip(wide, track.frame_reason)),
    )


def _summarise(model: StateModel, fits: list, *, min_evidence: float, polarity: int) -> FrontTrack:
    n_frames, n_samples = len(fits), model.pristine.size
    position, sigma, width, noise = (np.full(n_frames, np.nan) for _ in range(4))
    confidence = np.zeros(n_frames)
    reasons = [_frame_reason(fit, n_samples, model.direction, min_evidence) for fit in fits]
    for t, fit in enumerate(fits):
        if not reasons[t]:
            position[t], sigma[t], width[t] = fit.position, fit.sigma, fit.width
            noise[t] = fit.noise
            confidence[t] = fit.evidence / (fit.evidence + min_evidence)
    present = np.isfinite(position)
    if not present.any():
        return _absent(n_frames, polarity, NO_FRONT)
    residuals = np.array([fits[t].residual for t in np.flatnonzero(present)])
    factor = correlation_factor(residuals)
    return FrontTrack(
        position,
        sigma * factor,
        confidence,
        width,
        present,
        polarity,
        position_noise=noise * factor,
        frame_reason=tuple(reasons),
    )


def _frame_reason(fit, n_samples: int, direction: int, min_evidence: float) -> str:
    """Why a frame's fit does not measure the front ("" when it does)."""
    if fit is None:
        return NO_PROFILE
    if not fit.evidence > min_evidence:
        return WEAK_FRONT.format(max(fit.evidence, 0.0), min_evidence)
    return "" if on_line(fit, n_samples, direction) else OFF_LINE
