"""What the front workbench shows, computed from the session and the movie (no widgets): frame
times, the line the session's track was made along, and the texts under the kinetics plot (status,
velocity now, why this frame has no position, the drift hint)."""

from __future__ import annotations

import numpy as np

from insitu_tem.core.model import Dataset
from insitu_tem.core.units import FRAME
from insitu_tem.gui.frame_numbers import frame_number

TRACK_LEAST_SAMPLES = 8
"""The shortest kymograph :func:`~insitu_tem.analysis.movie.front.track_front` takes, samples
(one per px along the line, the first at its start)."""

THICKNESS_LEAST_SAMPLES = 24
"""The shortest kymograph :func:`~insitu_tem.analysis.movie.film_thickness.film_thickness`
takes with its default ``half_window`` (6 samples; four of them), samples."""

DRIFT_HINT = (
    "Drift not corrected: the specimen drift biases the front position and n. "
    "Measure drift (Processing), then track again."
)


def times(movie: Dataset) -> tuple[np.ndarray, str]:
    """Time of every frame and its units ("s", else "frame")."""
    axis = movie.axes[0]
    if axis.units == "s":
        return axis.coordinates(), "s"
    return np.arange(axis.size, dtype=float), "frame"


def line_length_px(line_rc) -> float:
    """Length of the polyline ``line_rc`` ((row, col) vertices), px."""
    return float(np.hypot(*np.diff(np.asarray(line_rc, float), axis=0).T).sum())


def track_unavailable(
    movie: Dataset | None, line_rc, *, least_samples: int = TRACK_LEAST_SAMPLES, what="a front"
) -> str:
    """Why tracking ``what`` on ``movie`` along ``line_rc`` (None: no line) is declined before
    it starts ("" when it can run): no movie, a single image, frames or a line shorter than
    ``least_samples`` samples (the front: :data:`TRACK_LEAST_SAMPLES`; the film's edges:
    :data:`THICKNESS_LEAST_SAMPLES`)."""
    least_px = least_samples - 1
    if movie is None:
        return "Open a movie first"
    if movie.shape[0] < 2:
        return f"A single image: {what} is tracked through the frames of a movie"
    rows, cols = movie.shape[-2:]
    if line_length_px([[0, 0], [rows - 1, cols - 1]]) < least_px:
        return (
            f"Frames of {rows} × {cols} px are too small: the line must be {least_px} px or longer"
        )
    if line_rc is None:
        return "Draw a line across the front first (Line tool: two clicks)"
    length = line_length_px(line_rc)
    if length < least_px:
        return f"The line is {length:.1f} px long: draw one {least_px} px or longer"
    return ""


def track_line(result) -> np.ndarray | None:
    """Vertices (row, col) px of the line a front result was tracked along (None: no result)."""
    if result is None or "line_rc" not in result.parameters:
        return None
    return np.asarray(result.parameters["line_rc"], float)


def drift_corrected(result) -> bool:
    """Whether a front result was tracked on drift-corrected frames."""
    return (
        bool(result.inputs.get("result.drift")) or result.value.get("drift_shifts_px") is not None
    )


def status_text(result) -> str:
    """The line under the tools once a track is shown (with the drift hint when uncorrected)."""
    track = result.value
    present = np.asarray(track["present"], bool)
    confidence = np.asarray(track["confidence"], float)
    text = (
        f"Front found in {int(present.sum())} of {len(present)} frames; "
        f"mean confidence {np.mean(confidence[present]):.2f}"
        if present.any()
        else track["reason"]
    )
    return text if drift_corrected(result) else f"{text}. {DRIFT_HINT}"


def velocity_text(track: dict, frame: int, frame_times: np.ndarray, time_units: str) -> str:
    """The fitted velocity at ``frame`` with its 1σ when known ("" without a fit); a movie
    without times names the frame by its number."""
    if not track["fit"]["ok"]:
        return ""
    velocity = track["velocity"]
    index = min(frame, len(velocity) - 1)
    v = float(velocity[index])
    when = (
        f"velocity at frame {frame_number(frame)}"
        if time_units == FRAME
        else f"velocity at t = {frame_times[frame]:.3g} {time_units}"
    )
    if not np.isfinite(v):
        return f"{when}: before the front started (no fit)"
    sigma = track.get("velocity_sigma")
    sigma = np.nan if sigma is None else float(sigma[index])
    units = f"{track['units']}/{time_units}"
    if not np.isfinite(sigma):
        return f"{when}: {v:.4g} {units} (fit; no 1σ within 2σ of t0)"
    return f"{when}: {v:.4g} ± {sigma:.2g} {units} (fit)"


def frame_text(track: dict, frame: int) -> str:
    """Why ``frame`` has no front position ("" when it has one, or when no frame has one: the
    status then gives the track's reason)."""
    present = np.asarray(track["present"], bool)
    reasons = track.get("frame_reason") or ()
    if present[frame] or not present.any() or frame >= len(reasons):
        return ""
    return f"Not measured: {reasons[frame]}"
