"""Lattice spacing against time: chosen FFT spots followed through a movie (result "lattice")."""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.hrtem.lattice_series import lattice_vs_time
from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.core.model import DataError
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows.common import file_name, frame_times, require
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job

NAME = "lattice"
DEFAULTS = {
    "role": "hrtem",
    "spots_px": None,
    "roi": None,
    "follow_drift": False,
    "search_px": 2,
    "min_snr": 5.0,
}


def prepare(session: Session, **given) -> Job:
    """The d(t) job.

    Parameters
    ----------
    role : {"hrtem", "movie"}
        Which movie to follow the spots through.
    spots_px : list of (row, col)
        Starting spot positions, FFT px from the centre of the ROI's spectrum.
    roi : (row0, col0, row1, col1)
        FFT region, px, end exclusive.
    follow_drift : bool
        Move the ROI with the drift (the session's drift result for the movie, else
        measured frame to frame).
    search_px : int
        Search half-size around the last position, FFT px.
    min_snr : float
        A spot below this SNR counts as lost in that frame.
    """
    parameters = options(session, NAME, DEFAULTS, given)
    role = parameters["role"]
    movie = require(session, role, ("movie",))
    if not parameters["spots_px"] or parameters["roi"] is None:
        raise DataError("choose the FFT region and at least one spot to follow first")
    col = movie.signal_axes[1]
    if col.units != "nm":
        raise DataError(
            f"{file_name(movie, role)}: has no pixel size in nm, which d(t) needs — calibrate it "
            "first (Edit ▸ Set Calibration…)"
        )
    inputs = [role]
    drift = session.result("drift") if role == "movie" and parameters["follow_drift"] else None
    if drift is not None:
        inputs.append("result.drift")
    times, _ = frame_times(movie)

    def compute(steps: Steps) -> dict:
        shifts = None
        if drift is not None:
            shifts = np.asarray(drift.value["shifts_px"], dtype=float)
        elif parameters["follow_drift"]:
            shifts = measure_drift(
                movie.array,
                reference="previous",
                should_stop=steps.should_stop,
                progress=steps.scaled(0.0, 0.3),
            ).shifts_px
            steps.check()
        series = lattice_vs_time(
            movie.array,
            parameters["spots_px"],
            roi=tuple(parameters["roi"]),
            pixel_nm=float(col.scale),
            times_s=times,
            shifts_px=shifts,
            search_px=int(parameters["search_px"]),
            min_snr=float(parameters["min_snr"]),
            progress=steps.scaled(0.3 if shifts is not None else 0.0, 1.0),
            should_stop=steps.should_stop,
        )
        return {
            "times_s": series.times_s,
            "d_nm": series.d_nm,
            "sigma_d_nm": series.sigma_d_nm,
            "angle_deg": series.angle_deg,
            "snr": series.snr,
            "roi_rc": series.roi_rc,
        }

    return Job(NAME, parameters, session.fingerprints(inputs), compute)


def run(
    session: Session,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
    **given,
) -> Result:
    """Follow the spots and store result "lattice" in ``session``."""
    return run_job(session, prepare(session, **given), should_stop=should_stop, progress=progress)
