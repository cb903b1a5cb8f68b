"""The one simulated lithiation experiment that all bundled samples share.

A WO3 film in cross-section runs horizontally through a bright-field movie;
lithium enters from the left and a reaction front advances along +x (columns)
as ``x(t) = x0 + k * (t - t0) ** n``. After the movie, a nanobeam-diffraction
line scan and an EELS line scan are recorded along the same horizontal line
across the front, so that every sample can be placed on one coordinate
system: movie pixels (row, col), film distance in nm, movie time in s and
scan position in nm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np


@dataclass(frozen=True)
class FrontLaw:
    """Front position along the film, ``x(t) = x0 + k * (t - t0) ** n`` in pixels.

    Attributes
    ----------
    x0_px : float
        Position at ``t0``, in movie pixels (column).
    k_px : float
        Rate constant, in px / s**n.
    n : float
        Kinetic exponent (0.5 diffusion-limited, 1 reaction-limited).
    t0_s : float
        Time at which the front starts to move, in s.
    """

    x0_px: float = 24.0
    k_px: float = 30.0
    n: float = 0.5
    t0_s: float = 0.0

    def position_px(self, time_s):
        """Front column in px at ``time_s`` (scalar or array, in s)."""
        elapsed = np.clip(np.asarray(time_s, dtype=float) - self.t0_s, 0.0, None)
        return self.x0_px + self.k_px * elapsed**self.n


@dataclass(frozen=True)
class ScanLine:
    """A probe line scan placed on the movie, in movie pixels (row, col).

    Attributes
    ----------
    start_rc, end_rc : tuple of float
        First and last probe positions, (row, col) in movie pixels.
    n_positions : int
        Number of probe positions, evenly spaced from start to end.
    time_s : float
        Movie time at which the scan was recorded, in s.
    """

    start_rc: tuple[float, float]
    end_rc: tuple[float, float]
    n_positions: int
    time_s: float

    def positions_rc(self) -> np.ndarray:
        """(n_positions, 2) array of probe (row, col) in movie pixels."""
        frac = np.linspace(0.0, 1.0, self.n_positions)[:, None]
        start = np.asarray(self.start_rc, dtype=float)
        return start + frac * (np.asarray(self.end_rc, dtype=float) - start)

    def step_px(self) -> float:
        """Distance between neighbouring probe positions, in movie px."""
        length = np.hypot(*(np.subtract(self.end_rc, self.start_rc)))
        return float(length / (self.n_positions - 1))


@dataclass(frozen=True)
class Experiment:
    """Geometry and timing of the simulated in situ lithiation of WO3.

    Attributes
    ----------
    frame_shape : tuple of int
        Movie frame (rows, cols), px.
    n_frames : int
        Number of movie frames.
    frame_interval_s : float
        Time between frames, s.
    pixel_nm : float
        Movie pixel size, nm.
    film_rows : tuple of float
        Top and bottom edge (row, px) of the pristine WO3 film.
    expansion : float
        Fractional thickness increase of the film behind the front (0.03).
    front : FrontLaw
        Front kinetics in movie px and s.
    scan : ScanLine
        Where and when the NBD and EELS line scans were recorded.
    beam_energy_kV : float
        Accelerating voltage, kV.
    """

    frame_shape: tuple[int, int] = (256, 256)
    n_frames: int = 60
    frame_interval_s: float = 0.5
    pixel_nm: float = 2.0
    film_rows: tuple[float, float] = (88.0, 168.0)
    expansion: float = 0.03
    front: FrontLaw = FrontLaw()
    scan: ScanLine = ScanLine(
        start_rc=(128.0, 60.0), end_rc=(128.0, 240.0), n_positions=46, time_s=29.5
    )
    beam_energy_kV: float = 300.0

    def times_s(self) -> np.ndarray:
        """Time of every movie frame, in s."""
        return np.arange(self.n_frames) * self.frame_interval_s

    def scan_distance_from_front_nm(self) -> np.ndarray:
        """Signed distance of each probe position from the front at scan time, nm.

        Negative values lie behind the front (reacted, lithiated side).
        """
        cols = self.scan.positions_rc()[:, 1]
        return (cols - float(self.front.position_px(self.scan.time_s))) * self.pixel_nm


EXPERIMENT = Experiment()
MOVIE_START = datetime(2026, 3, 14, 10, 21, 7, 250000)
CAMERA_CLOCK_SLOW_S = 1.5
RECORDED_MOVIE_START = MOVIE_START - timedelta(seconds=CAMERA_CLOCK_SLOW_S)
