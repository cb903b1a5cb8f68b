"""One coordinate system for the movie, the front and the probe line scans.

A line scan (NBD or EELS) is registered on the movie by its first and last probe
positions in movie pixels (row, col) and the movie time at which it was recorded.
Its probe index then maps to a point on the film, and a front position (movie px
along the same line, or a front track over time) maps to a signed distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ScanRegistration:
    """A probe line scan placed on the movie.

    Attributes
    ----------
    start_rc, end_rc : tuple of float
        First and last probe positions, movie px (row, col).
    n_positions : int
        Number of probes.
    time_s : float
        Movie time at which the scan was recorded, s.
    """

    start_rc: tuple[float, float]
    end_rc: tuple[float, float]
    n_positions: int
    time_s: float = 0.0

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> "ScanRegistration":
        """From a project's ``scan_lines`` entry."""
        return cls(
            tuple(map(float, document["start_rc"])),
            tuple(map(float, document["end_rc"])),
            int(document["n_positions"]),
            float(document.get("time_s", 0.0)),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "start_rc": list(self.start_rc),
            "end_rc": list(self.end_rc),
            "n_positions": self.n_positions,
            "time_s": self.time_s,
        }

    @property
    def length_px(self) -> float:
        return float(np.hypot(self.end_rc[0] - self.start_rc[0], self.end_rc[1] - self.start_rc[1]))

    def point_rc(self, index: float) -> tuple[float, float]:
        """Movie (row, col) of a (fractional) probe index."""
        fraction = float(index) / max(self.n_positions - 1, 1)
        return (
            self.start_rc[0] + fraction * (self.end_rc[0] - self.start_rc[0]),
            self.start_rc[1] + fraction * (self.end_rc[1] - self.start_rc[1]),
        )

    def nearest_index(self, row: float, col: float) -> tuple[int, float]:
        """Probe index nearest to a movie point and the point's distance from the line, px."""
        direction = np.subtract(self.end_rc, self.start_rc)
        offset = np.subtract((row, col), self.start_rc)
        along = float(np.dot(offset, direction) / max(np.dot(direction, direction), 1e-12))
        index = int(np.clip(round(along * (self.n_positions - 1)), 0, self.n_positions - 1))
        foot = self.point_rc(index)
        return index, float(np.hypot(row - foot[0], col - foot[1]))

    def distance_along_px(self, index) -> np.ndarray:
        """Distance of probe ``index`` from the first probe, movie px."""
        return np.asarray(index, dtype=float) / max(self.n_positions - 1, 1) * self.length_px

    def distance_from_front_px(self, front_along_px: float) -> np.ndarray:
        """Signed distance of every probe from a front at ``front_along_px`` along the line, px.

        Negative values are on the side of the first probe.
        """
        return self.distance_along_px(np.arange(self.n_positions)) - float(front_along_px)


def front_along_line(scan: ScanRegistration, front_rc: tuple[float, float]) -> float:
    """Project a front point (movie row, col) onto the scan line: distance from the first probe,
    px."""
    direction = np.subtract(scan.end_rc, scan.start_rc)
    unit = direction / max(np.hypot(*direction), 1e-12)
    return float(np.dot(np.subtract(front_rc, scan.start_rc), unit))


def front_at_time(times_s, positions, time_s: float) -> float:
    """Front position at ``time_s`` interpolated from a track (times in s, positions any unit).

    NaN positions (front not found) are skipped; outside the track the end values hold.
    """
    times = np.asarray(times_s, dtype=float)
    values = np.asarray(positions, dtype=float)
    good = np.isfinite(values) & np.isfinite(times)
    if not good.any():
        raise ValueError("the front track has no valid position; track or mark the front first")
    return float(np.interp(time_s, times[good], values[good]))
