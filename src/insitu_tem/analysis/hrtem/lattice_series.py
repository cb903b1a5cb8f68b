"""Lattice spacing against time: follow chosen FFT spots through a movie.

For every frame the ROI (fixed, or moved with given drift shifts) is Fourier
transformed as in :mod:`.lattice`; each tracked spot is searched within
``search_px`` FFT pixels of its last position (so a spot that drifts with
changing strain or rotation is followed), refined to sub-pixel precision and
kept when its SNR passes ``min_snr``; otherwise that frame reads NaN and the
search stays where the spot was last seen.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from insitu_tem.analysis.hrtem.fft_lattice import spot_near
from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum, snr_map


@dataclass(frozen=True, eq=False)
class LatticeSeries:
    """Spacings of tracked spots per frame.

    Attributes
    ----------
    times_s : numpy.ndarray
        (n_frames,) frame times, s (frame indices when the movie has no time axis).
    d_nm, sigma_d_nm, angle_deg, snr : numpy.ndarray
        (n_frames, n_spots); NaN where the spot was not found.
    roi_rc : numpy.ndarray
        (n_frames, 4) ROI used per frame: row0, col0, row1, col1 (px, end exclusive).
    """

    times_s: np.ndarray
    d_nm: np.ndarray
    sigma_d_nm: np.ndarray
    angle_deg: np.ndarray
    snr: np.ndarray
    roi_rc: np.ndarray

    @property
    def n_spots(self) -> int:
        return int(self.d_nm.shape[1])

    def csv_text(self) -> str:
        """CSV: frame, time_s, then d_A, sigma_d_A, angle_deg, snr for every spot."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        header = ["frame", "time_s"]
        for j in range(self.n_spots):
            header += [
                f"spot{j + 1}_d_A",
                f"spot{j + 1}_sigma_d_A",
                f"spot{j + 1}_angle_deg",
                f"spot{j + 1}_snr",
            ]
        writer.writerow(header)
        for i, time in enumerate(self.times_s):
            row: list = [i, f"{time:.6g}"]
            for j in range(self.n_spots):
                values = (
                    10 * self.d_nm[i, j],
                    10 * self.sigma_d_nm[i, j],
                    self.angle_deg[i, j],
                    self.snr[i, j],
                )
                row += ["" if not math.isfinite(v) else f"{v:.6g}" for v in values]
            writer.writerow(row)
        return buffer.getvalue()

    def to_csv(self, path: str | Path) -> Path:
        """Write :meth:`csv_text` to ``path``; return the path."""
        path = Path(path)
        path.write_text(self.csv_text(), encoding="utf-8")
        return path


class NonFiniteFrame(ValueError):
    """A frame whose FFT region holds NaN or infinite pixels.

    Attributes
    ----------
    frame : int
        Index (0-based) of the frame.
    rows, cols : tuple of int
        First and last row, first and last column of the region, px (inclusive).

    The message names the frame by its 0-based index (the CLI's words); a front end that
    numbers frames otherwise words its own from :attr:`frame` and :meth:`advice`.
    """

    def __init__(self, frame: int, rows: tuple[int, int], cols: tuple[int, int]) -> None:
        self.frame, self.rows, self.cols = int(frame), rows, cols
        super().__init__(f"frame {self.frame} {self.advice()}")

    def advice(self) -> str:
        """What is wrong with the frame and what to do, without naming the frame."""
        (a, c), (b, d) = self.rows, self.cols
        return (
            f"has NaN or infinite pixels in the FFT region (rows {a}-{c}, cols {b}-{d}); "
            "move the ROI inside the valid data or crop the movie"
        )


def _roi_for(
    roi: tuple[int, int, int, int], shift: tuple[float, float], shape: tuple[int, int]
) -> tuple[int, ...]:
    r0, c0, r1, c1 = roi
    dr = int(np.clip(round(shift[0]), -r0, shape[0] - r1))
    dc = int(np.clip(round(shift[1]), -c0, shape[1] - c1))
    return r0 + dr, c0 + dc, r1 + dr, c1 + dc


def lattice_vs_time(
    movie,
    spots_px: Sequence[tuple[float, float]],
    *,
    roi: tuple[int, int, int, int],
    pixel_nm: float,
    times_s: Sequence[float] | None = None,
    shifts_px: Sequence[tuple[float, float]] | None = None,
    search_px: int = 2,
    min_snr: float = 5.0,
    progress: Callable[[float, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LatticeSeries:
    """Follow FFT spots through the frames of a movie.

    Parameters
    ----------
    movie : array_like
        (n_frames, rows, cols) numpy or dask array; frames are read one at a time.
    spots_px : sequence of (float, float)
        Starting spot positions, (row, col) FFT px from the centre of the ROI's spectrum.
    roi : tuple of int
        (row0, col0, row1, col1) px, end exclusive.
    pixel_nm : float
        Pixel size, nm.
    times_s : sequence of float, optional
        Frame times, s (default: frame index).
    shifts_px : sequence of (float, float), optional
        Specimen drift per frame (row, col), px: the ROI moves with it.
    search_px : int
        Half-size of the search box around the last position, FFT px.
    min_snr : float
        A spot below this SNR counts as lost in that frame.
    progress : callable, optional
        ``progress(fraction, message)``.
    should_stop : callable, optional
        Polled every frame; returning True raises InterruptedError.

    Returns
    -------
    LatticeSeries

    Raises
    ------
    NonFiniteFrame
        When the region of a frame holds NaN or infinite pixels (a ValueError naming the
        frame).
    """
    n_frames, height, width = (int(v) for v in np.shape(movie))
    r0, c0, r1, c1 = (int(v) for v in roi)
    if not (0 <= r0 < r1 <= height and 0 <= c0 < c1 <= width):
        raise ValueError(
            f"ROI {roi} is outside the {height} × {width} frame; give row0,col0,row1,col1 inside it"
        )
    if len(spots_px) == 0:
        raise ValueError("choose at least one spot to follow")
    shifts = np.zeros((n_frames, 2)) if shifts_px is None else np.asarray(shifts_px, dtype=float)
    times = (
        np.arange(n_frames, dtype=float) if times_s is None else np.asarray(times_s, dtype=float)
    )
    if shifts.shape != (n_frames, 2) or times.shape != (n_frames,):
        raise ValueError(f"give one time and one (row, col) shift per frame ({n_frames} frames)")
    positions = np.asarray(spots_px, dtype=float).reshape(-1, 2).copy()
    out = {
        name: np.full((n_frames, len(positions)), np.nan) for name in ("d", "sigma", "angle", "snr")
    }
    rois = np.zeros((n_frames, 4), dtype=int)
    for i in range(n_frames):
        if should_stop is not None and should_stop():
            raise InterruptedError("lattice series cancelled")
        rois[i] = _roi_for((r0, c0, r1, c1), shifts[i] - shifts[0], (height, width))
        a, b, c, d = rois[i]
        crop = np.asarray(movie[i])[a:c, b:d]
        if not np.isfinite(crop).all():
            raise NonFiniteFrame(i, (int(a), int(c) - 1), (int(b), int(d) - 1))
        spectrum = power_spectrum(crop, pixel_nm=pixel_nm)
        snr = snr_map(spectrum)
        for j, (row, col) in enumerate(positions):
            spot = spot_near(spectrum, row, col, search_px=search_px, snr=snr)
            if not spot.snr >= min_snr:
                continue
            positions[j] = (spot.row_px, spot.col_px)
            out["d"][i, j], out["angle"][i, j], out["snr"][i, j] = (
                spot.d_nm,
                spot.angle_deg,
                spot.snr,
            )
            out["sigma"][i, j] = spot.sigma_g_per_nm * spot.d_nm**2
        if progress is not None:
            progress((i + 1) / n_frames, f"frame {i + 1}/{n_frames}")
    return LatticeSeries(times, out["d"], out["sigma"], out["angle"], out["snr"], rois)
