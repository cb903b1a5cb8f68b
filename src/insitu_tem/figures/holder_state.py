"""The holder's state at a movie time, from the session: the timeline's log (bias, current,
charge passed with 1σ) and the dose result (cumulative dose with 1σ). The across-the-front
figure and panel show it at the line scan's time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from insitu_tem.core.session import Session
from insitu_tem.core.uncertainty_text import si_value, si_value_with_sigma


@dataclass(frozen=True)
class HolderState:
    """Holder quantities at ``time_s`` (movie time, s); NaN where not known.

    ``channels`` maps log channel names to (value, units) at that time; ``log_span_s`` is the
    movie time (s) from the log's first to its last reading.
    """

    time_s: float
    channels: dict
    charge_C: float = np.nan
    charge_sigma_C: float = np.nan
    dose_e_per_A2: float = np.nan
    dose_sigma_e_per_A2: float = np.nan
    log_span_s: tuple[float, float] | None = None

    def text(self) -> str:
        """One line: ``t = 29.5 s: Channel A Voltage -0.8 V, …, Q = … ± … C, dose … e/Å²``;
        a channel with no reading at that time is left out, and a time outside the log says so."""
        parts = [
            f"{name} {_reading(value, units)}".rstrip()
            for name, (value, units) in self.channels.items()
            if np.isfinite(value)
        ]
        if self.log_span_s is not None and not (
            self.log_span_s[0] <= self.time_s <= self.log_span_s[1]
        ):
            first, last = self.log_span_s
            parts.insert(
                0,
                "outside the holder log (its readings cover movie time "
                f"{first:.3g} to {last:.3g} s)",
            )
        if np.isfinite(self.charge_C):
            parts.append(f"Q = {si_value_with_sigma(self.charge_C, self.charge_sigma_C, 'C')}")
        if np.isfinite(self.dose_e_per_A2):
            parts.append(f"dose {self.dose_e_per_A2:.3g} ± {self.dose_sigma_e_per_A2:.2g} e/Å²")
        return f"t = {self.time_s:.3g} s: " + ", ".join(parts)


def _reading(value: float, units: str) -> str:
    """A holder reading to 3 significant digits, with an SI prefix where it would otherwise be
    written with an exponent (``-8.17e-14 A`` → ``-81.7 fA``; ``-0.8 V`` stays)."""
    text = f"{value:.3g}"
    if "e" in text and units:
        return si_value(value, units)
    return f"{text} {units}"


def log_path(session: Session, path: str, project_dir: str | Path | None = None) -> Path:
    """The timeline's log file: a relative path is beside the project, else beside the movie."""
    if Path(path).is_absolute():
        return Path(path)
    movie = session.source("movie")
    folder = project_dir or (Path(movie.path).parent if movie is not None and movie.path else ".")
    return Path(folder) / path


def scan_time_s(session: Session) -> float | None:
    """Movie time (s) the line scans were recorded at (EELS's, else NBD's scan line)."""
    for role in ("eels", "nbd"):
        line = session.scan_line(role)
        if line is not None and isinstance(line.get("time_s"), (int, float)):
            return float(line["time_s"])
    return None


def holder_state_at(
    session: Session, time_s: float, *, project_dir: str | Path | None = None
) -> HolderState | None:
    """The holder's state at movie time ``time_s``; None without a log or a dose result."""
    from insitu_tem.analysis.timeline.frames import frame_timeline
    from insitu_tem.analysis.timeline.sync import log_times, movie_clock
    from insitu_tem.io.holder_logs import load_log

    state, channels, charge, span = session.panel_state("timeline"), {}, (np.nan, np.nan), None
    movie = session.dataset("movie")
    path = log_path(session, state["log_path"], project_dir) if state.get("log_path") else None
    if path is not None and path.is_file() and movie is not None:
        log = load_log(path)
        start, offset = movie_clock(movie)[1], float(state.get("offset_s", 0.0))
        timeline = frame_timeline(
            np.array([time_s]),
            log,
            movie_start=start,
            offset_s=offset,
            current_channel=state.get("current_channel"),
        )
        shown = [n for n, c in log.channels.items() if c.units in ("V", "A", "°C")]
        channels = {n: (float(timeline.channels[n][0]), timeline.units[n]) for n in shown}
        charge = (float(timeline.charge_C[0]), float(timeline.charge_sigma_C[0]))
        log_time = log_times(np.array([time_s]), log, movie_start=start, offset_s=offset)[0]
        span = (
            float(time_s + np.min(log.time_s) - log_time),
            float(time_s + np.max(log.time_s) - log_time),
        )
    dose = _dose_at(session, time_s)
    if not channels and dose is None:
        return None
    return HolderState(float(time_s), channels, *charge, *(dose or (np.nan, np.nan)), span)


def _dose_at(session: Session, time_s: float) -> tuple[float, float] | None:
    result = session.result("dose")
    if result is None:
        return None
    value = result.value
    cumulative = float(np.interp(time_s, value["time_s"], value["cumulative_e_per_A2"]))
    return cumulative, cumulative * float(value["relative_sigma"])


def dose_traces(session: Session) -> dict:
    """The session's cumulative dose (±1σ) as a timeline trace, when computed, and from the
    counts the most-exposed pixel's (±1σ), as the timeline panel shows them."""
    result = session.result("dose")
    if result is None:
        return {}
    value = result.value
    cumulative = np.asarray(value["cumulative_e_per_A2"], float)
    sigma = cumulative * float(value["relative_sigma"])
    traces = {"cumulative dose": ("e/Å²", value["time_s"], cumulative, sigma)}
    if value["source"] == "counts":
        peak = np.asarray(value["peak_pixel_cumulative_e_per_A2"], float)
        stored = value.get("peak_pixel_cumulative_sigma_e_per_A2")
        peak_sigma = peak * float(value["relative_sigma"]) if stored is None else stored
        traces["peak pixel dose"] = ("e/Å²", value["time_s"], peak, peak_sigma)
    return traces
