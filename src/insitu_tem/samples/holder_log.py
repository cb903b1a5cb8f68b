"""Sample holder log: the bias and current of the sample lithiation, as a Protochips CSV.

A constant −0.8 V bias is switched on at the movie's t = 0; the log starts 5 s earlier. The movie
file records its start on a camera clock 1.5 s slow, so with the recorded start times the clock
offset is +1.5 s (``offset_with_start_times_s``; without start times it is 5 s, ``offset_s``). The
current is the Faradaic current of
the front in the sample movie: Li_xWO3 with x = 0.3 forms behind the front in a film of the
movie's thickness (rows) and a lamella depth along the beam, so
Q(t) = −x · F · V_reacted(t) / V_m, V_m = 32.4 cm³/mol. Each logged current is the mean over its
0.1 s sampling interval, plus Gaussian noise of the picoammeter.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from scipy import constants

from insitu_tem.samples.experiment import (
    CAMERA_CLOCK_SLOW_S,
    EXPERIMENT,
    MOVIE_START,
    RECORDED_MOVIE_START,
)

FILE_NAME = "holder_log.csv"
LOG_LEAD_S = 5.0
SAMPLE_INTERVAL_S = 0.1
BIAS_V = -0.8
LITHIUM_PER_WO3 = 0.3
LAMELLA_DEPTH_NM = 100.0
MOLAR_VOLUME_CM3 = 32.4
NOISE_A = 2e-15


def charge_C(movie_time_s: np.ndarray) -> np.ndarray:
    """Faradaic charge (C, negative: Li⁺ flows in) passed by movie time ``movie_time_s``."""
    front = EXPERIMENT.front
    advance_nm = (front.position_px(movie_time_s) - front.x0_px) * EXPERIMENT.pixel_nm
    height_nm = (EXPERIMENT.film_rows[1] - EXPERIMENT.film_rows[0]) * EXPERIMENT.pixel_nm
    volume_cm3 = advance_nm * height_nm * LAMELLA_DEPTH_NM * 1e-21
    faraday = constants.physical_constants["Faraday constant"][0]
    return -LITHIUM_PER_WO3 * faraday * volume_cm3 / MOLAR_VOLUME_CM3


def write(folder: str | Path) -> list[Path]:
    """Write ``holder_log.csv`` and ``holder_log.truth.json`` into ``folder``."""
    folder = Path(folder)
    duration = EXPERIMENT.times_s()[-1] + EXPERIMENT.frame_interval_s + LOG_LEAD_S
    log_time = np.round(np.arange(0.0, duration, SAMPLE_INTERVAL_S), 6)
    movie_time = log_time - LOG_LEAD_S
    half = SAMPLE_INTERVAL_S / 2
    current = (charge_C(movie_time + half) - charge_C(movie_time - half)) / SAMPLE_INTERVAL_S
    current += np.random.default_rng(7).normal(0.0, NOISE_A, current.size)
    voltage = np.where(movie_time >= 0, BIAS_V, 0.0)
    log_start = MOVIE_START - timedelta(seconds=LOG_LEAD_S)
    path = folder / FILE_NAME
    path.write_text(_protochips_csv(log_start, log_time, current, voltage))
    truth = {
        "file": FILE_NAME,
        "log_start": log_start.isoformat(),
        "movie_start": MOVIE_START.isoformat(),
        "offset_s": LOG_LEAD_S,
        "movie_start_recorded": RECORDED_MOVIE_START.isoformat(),
        "offset_with_start_times_s": CAMERA_CLOCK_SLOW_S,
        "bias_V": BIAS_V,
        "lithium_per_WO3": LITHIUM_PER_WO3,
        "lamella_depth_nm": LAMELLA_DEPTH_NM,
        "film_height_nm": (EXPERIMENT.film_rows[1] - EXPERIMENT.film_rows[0]) * EXPERIMENT.pixel_nm,
        "molar_volume_cm3": MOLAR_VOLUME_CM3,
        "noise_A": NOISE_A,
        "frame_times_s": EXPERIMENT.times_s().tolist(),
        "charge_at_frames_C": charge_C(EXPERIMENT.times_s()).tolist(),
    }
    truth_path = folder / "holder_log.truth.json"
    truth_path.write_text(json.dumps(truth, indent=1))
    return [path, truth_path]


def _protochips_csv(
    start: datetime, time_s: np.ndarray, current: np.ndarray, voltage: np.ndarray
) -> str:
    header_rows = [
        f"Date (yyyy.mm.dd) = {start:%Y.%m.%d}",
        f"Time (hh:mm:ss.ms) = {start:%H:%M:%S}.{start.microsecond // 1000:03d}",
        "Time units = Milliseconds",
        "Current units = Amps",
        "Voltage units = Volts",
        "Resistance units = Ohms",
    ]
    lines = ["Time, Notes, Channel A Current, Channel A Voltage, Channel A Resistance"]
    lines += [f"0, {row}, 0, 0, NaN" for row in header_rows]
    for t, i, v in zip(time_s, current, voltage):
        resistance = v / i if i != 0 and v != 0 else float("nan")
        note = "bias on" if abs(t - LOG_LEAD_S) < 1e-9 else ""
        lines.append(f"{round(t * 1000)}, {note}, {i:.6E}, {v:.6g}, {resistance:.6E}")
    return "\n".join(lines) + "\n"
