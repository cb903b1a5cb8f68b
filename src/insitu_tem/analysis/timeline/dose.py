"""Electron dose per frame and cumulative, from the beam current or from the camera counts.

From the beam current I over an illuminated area A: dose rate = I / (e · A) in e/Å²/s
(1 nA = 6.242e9 e/s). From the counts: electrons per pixel = counts / C (C counts per electron,
the camera's conversion factor), dose = electrons / pixel area. Both give the dose of each frame
(rate × frame interval) and the cumulative dose at the end of each frame. The 1σ is the relative
uncertainty of the current or of the conversion factor the user gives (systematic; the Poisson
term of ≥ 10⁵ electrons per frame is negligible). The most-exposed pixel's cumulative dose has
its own counting and estimate 1σ besides (:mod:`~insitu_tem.analysis.timeline.dose_peak`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import constants

from insitu_tem.analysis.timeline.dose_peak import peak_counts

NM2_TO_A2 = 100.0


@dataclass(frozen=True)
class ElectronDose:
    """Dose of each frame of a movie.

    Attributes
    ----------
    time_s : ndarray
        Frame times (s).
    rate_e_per_A2_s : ndarray
        Dose rate during each frame (e/Å²/s).
    frame_dose_e_per_A2 : ndarray
        Dose of each frame (e/Å²).
    cumulative_e_per_A2 : ndarray
        Cumulative dose at the end of each frame (e/Å²).
    relative_sigma : float
        Relative 1σ of every dose value (systematic).
    source : str
        ``"beam current"`` or ``"counts"``.
    """

    time_s: np.ndarray
    rate_e_per_A2_s: np.ndarray
    frame_dose_e_per_A2: np.ndarray
    cumulative_e_per_A2: np.ndarray
    relative_sigma: float
    source: str


def frame_intervals(time_s: np.ndarray) -> np.ndarray:
    """Exposure of each frame (s): the spacing to the next frame, the last one repeating."""
    time = np.asarray(time_s, dtype=float)
    if time.size < 2:
        raise ValueError("need at least two frame times to know the frame interval")
    step = np.diff(time)
    if np.any(step <= 0):
        raise ValueError("frame times must increase; check the movie's time axis")
    return np.concatenate([step, step[-1:]])


def dose_from_beam_current(
    time_s: np.ndarray,
    *,
    beam_current_nA: float | np.ndarray,
    illuminated_area_nm2: float,
    relative_sigma: float = 0.05,
) -> ElectronDose:
    """Dose from the beam current (one value, or one per frame) over the illuminated area.

    Parameters
    ----------
    time_s : ndarray
        Frame times (s).
    beam_current_nA : float or ndarray
        Beam current (nA), e.g. from the screen or a Faraday cup.
    illuminated_area_nm2 : float
        Area the beam covers (nm²); the field of view when the beam is spread over it.
    relative_sigma : float, optional
        Relative 1σ of the current measurement (default 5 %, a screen-current reading).
    """
    if not illuminated_area_nm2 > 0:
        raise ValueError("the illuminated area must be positive (nm²)")
    current = np.broadcast_to(np.asarray(beam_current_nA, dtype=float), np.shape(time_s))
    if np.any(current < 0) or not np.all(np.isfinite(current)):
        raise ValueError("the beam current must be finite and non-negative (nA)")
    electrons_per_s = current * 1e-9 / constants.elementary_charge
    rate = electrons_per_s / (illuminated_area_nm2 * NM2_TO_A2)
    return _dose(time_s, rate, relative_sigma, "beam current")


def dose_from_counts(
    time_s: np.ndarray,
    mean_counts_per_px: np.ndarray,
    *,
    counts_per_electron: float,
    pixel_area_nm2: float,
    relative_sigma: float = 0.05,
) -> ElectronDose:
    """Dose from the mean counts per pixel of each frame.

    Parameters
    ----------
    time_s : ndarray
        Frame times (s).
    mean_counts_per_px : ndarray
        Mean counts per pixel of each frame (dark-subtracted).
    counts_per_electron : float
        The camera's conversion factor (counts per incident electron).
    pixel_area_nm2 : float
        Area of one pixel at the specimen (nm²).
    relative_sigma : float, optional
        Relative 1σ of the conversion factor (default 5 %).
    """
    if not counts_per_electron > 0 or not pixel_area_nm2 > 0:
        raise ValueError("counts per electron and the pixel area must be positive")
    counts = np.asarray(mean_counts_per_px, dtype=float)
    frame_dose = np.clip(counts, 0, None) / counts_per_electron / (pixel_area_nm2 * NM2_TO_A2)
    return _dose(time_s, frame_dose / frame_intervals(time_s), relative_sigma, "counts")


def frame_counts(
    frames,
    *,
    counts_per_electron: float = 1.0,
    progress: Callable[[float, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean counts per pixel of every frame of ``frames`` (t, y, x), and the most-exposed pixel's
    cumulative count up to each frame with its 1σ, for a beam that does not illuminate the field
    evenly (:func:`~insitu_tem.analysis.timeline.dose_peak.peak_counts`: a quadratic surface
    fitted around the brightest point, not the largest noisy pixel).

    Frames are read one at a time (a lazy array stays lazy); negative counts count as 0.
    ``counts_per_electron`` sets the counting noise (the variance of a count is it × the count).
    Divide by the conversion factor and the pixel area for e/Å².
    """
    n = frames.shape[0]
    means, peak, sigma = np.empty(n), np.empty(n), np.empty(n)
    total = np.zeros(frames.shape[1:], dtype=np.float64)
    for index in range(n):
        if should_stop is not None and should_stop():
            raise InterruptedError("dose: stopped before every frame was read")
        frame = np.clip(np.asarray(frames[index], dtype=np.float64), 0, None)
        total += frame
        means[index] = float(np.mean(frame))
        peak[index], sigma[index] = peak_counts(total, counts_per_electron=counts_per_electron)
        if progress is not None:
            progress((index + 1) / n, "frame counts")
    return means, peak, sigma


def _dose(time_s: np.ndarray, rate: np.ndarray, relative_sigma: float, source: str) -> ElectronDose:
    time = np.asarray(time_s, dtype=float)
    frame_dose = rate * frame_intervals(time)
    return ElectronDose(
        time, rate, frame_dose, np.cumsum(frame_dose), float(relative_sigma), source
    )
