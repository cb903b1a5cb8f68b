"""Electron dose of every movie frame (result "dose"): dose rate and cumulative dose (e/Å²), from
the beam current or from the counts with the camera's conversion factor.

From the counts the cumulative dose is also followed per pixel, so where the illuminated area
varies (a converged or moving beam) the most-exposed pixel's cumulative dose is kept per frame
beside the frame mean, with its 1σ: the counting and peak-estimate term
(``peak_pixel_counting_sigma_e_per_A2``, :mod:`~insitu_tem.analysis.timeline.dose_peak`) and the
calibration's ``relative_sigma`` in quadrature (``peak_pixel_cumulative_sigma_e_per_A2``). From
the beam current nothing is counted: the counting term is NaN with
``peak_pixel_counting_reason``. The
timeline panel and ``insitu-tem dose`` both run this workflow; any analysis can read the dose at
a frame from the session's result.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.timeline.dose import (
    dose_from_beam_current,
    dose_from_counts,
    frame_counts,
)
from insitu_tem.core.model import DataError
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows.common import require
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job

NAME = "dose"
DEFAULTS = {
    "beam_current_nA": None,
    "counts_per_electron": None,
    "area_nm2": None,
    "relative_sigma": 0.05,
}
NM2_TO_A2 = 100.0
FROM_CURRENT = (
    "not measured: from the beam current no pixel is counted; the peak pixel's dose is the mean "
    "over the illuminated area, taken as uniform, and its 1σ the current's alone"
)


def prepare(session: Session, **given) -> Job:
    """The dose job.

    Parameters
    ----------
    beam_current_nA : float, optional
        Beam current (nA), spread over ``area_nm2``.
    counts_per_electron : float, optional
        Camera conversion factor (counts per incident electron); give this or the current.
    area_nm2 : float, optional
        Illuminated area (nm²) for the beam current; default the field of view.
    relative_sigma : float
        Relative 1σ of the current or the conversion factor (default 0.05).
    """
    movie = require(session, "movie", ("movie",))
    parameters = options(session, NAME, DEFAULTS, given)
    t_axis, y_axis, x_axis = movie.axes
    if y_axis.units != "nm" or x_axis.units != "nm" or t_axis.units != "s":
        raise DataError(
            "the dose needs a movie calibrated in nm and s; set the pixel size and frame interval"
        )
    current, factor = parameters["beam_current_nA"], parameters["counts_per_electron"]
    if (current is None) == (factor is None):
        raise DataError("give either the beam current (nA) or the counts per electron")
    if not 0 <= parameters["relative_sigma"] < 1:
        raise DataError("the relative 1σ must be between 0 and 1 (e.g. 0.05 for 5 %)")
    time_s = t_axis.coordinates()
    pixel_area = y_axis.scale * x_axis.scale
    array = movie.array

    def compute(steps: Steps) -> dict:
        if current is not None:
            area = parameters["area_nm2"] or pixel_area * y_axis.size * x_axis.size
            if not (area > 0 and current >= 0):
                raise DataError("the beam current must be ≥ 0 nA and the area > 0 nm²")
            dose = dose_from_beam_current(
                time_s,
                beam_current_nA=float(current),
                illuminated_area_nm2=float(area),
                relative_sigma=parameters["relative_sigma"],
            )
            peak = dose.cumulative_e_per_A2
            counting = np.full_like(peak, np.nan)
        else:
            if not factor > 0:
                raise DataError("the counts per electron must be > 0")
            means, peak_counts, peak_sigma = frame_counts(
                array,
                counts_per_electron=float(factor),
                progress=steps.progress,
                should_stop=steps.should_stop,
            )
            dose = dose_from_counts(
                time_s,
                means,
                counts_per_electron=float(factor),
                pixel_area_nm2=pixel_area,
                relative_sigma=parameters["relative_sigma"],
            )
            peak = peak_counts / float(factor) / (pixel_area * NM2_TO_A2)
            counting = peak_sigma / float(factor) / (pixel_area * NM2_TO_A2)
        return {
            "source": dose.source,
            "time_s": dose.time_s,
            "rate_e_per_A2_s": dose.rate_e_per_A2_s,
            "frame_dose_e_per_A2": dose.frame_dose_e_per_A2,
            "cumulative_e_per_A2": dose.cumulative_e_per_A2,
            "peak_pixel_cumulative_e_per_A2": peak,
            "peak_pixel_counting_sigma_e_per_A2": counting,
            "peak_pixel_counting_reason": "" if current is None else FROM_CURRENT,
            "peak_pixel_cumulative_sigma_e_per_A2": np.hypot(
                np.nan_to_num(counting), dose.relative_sigma * peak
            ),
            "relative_sigma": dose.relative_sigma,
        }

    return Job(NAME, parameters, session.fingerprints(["movie"]), compute)


def run(
    session: Session,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
    **given,
) -> Result:
    """Compute the dose of every frame and store result "dose" in ``session``."""
    return run_job(session, prepare(session, **given), should_stop=should_stop, progress=progress)


def dose_at(session: Session, frame: int) -> dict | None:
    """Dose rate, cumulative dose and the most-exposed pixel's cumulative dose (e/Å², with 1σ)
    at ``frame`` from the session's result."""
    result = session.result(NAME)
    if result is None:
        return None
    value = result.value
    index = min(max(int(frame), 0), len(value["cumulative_e_per_A2"]) - 1)
    cumulative = float(value["cumulative_e_per_A2"][index])
    return {
        "rate_e_per_A2_s": float(value["rate_e_per_A2_s"][index]),
        "cumulative_e_per_A2": cumulative,
        "cumulative_sigma_e_per_A2": cumulative * float(value["relative_sigma"]),
        "peak_pixel_cumulative_e_per_A2": float(value["peak_pixel_cumulative_e_per_A2"][index]),
        "peak_pixel_cumulative_sigma_e_per_A2": float(peak_sigma(value)[index]),
    }


def peak_sigma(value: dict) -> np.ndarray:
    """The peak pixel's 1σ per frame (a result from before session 14: the calibration's only)."""
    peak = np.asarray(value["peak_pixel_cumulative_e_per_A2"], dtype=float)
    stored = value.get("peak_pixel_cumulative_sigma_e_per_A2")
    return float(value["relative_sigma"]) * peak if stored is None else np.asarray(stored, float)
