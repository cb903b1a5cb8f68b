"""Lattice spacing against time: spots followed through generated movies with known d(t) and
drift."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.fft_lattice import find_spots
from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum
from insitu_tem.analysis.hrtem.lattice_series import NonFiniteFrame, lattice_vs_time
from insitu_tem.samples.hrtem import basis_vectors, lattice_fringes

PIXEL = 0.05


def expanding_movie(spacings_nm, *, shifts=None, shape=(192, 192), rng):
    """Frames of one crystal whose two spacings follow ``spacings_nm`` (n, 2), drifting by
    ``shifts``."""
    frames = []
    for i, d in enumerate(spacings_nm):
        basis = basis_vectors(tuple(d), angle_deg=90.0, rotation_deg=20.0)
        shift = (0.0, 0.0) if shifts is None else shifts[i]
        fringes = lattice_fringes(
            shape, basis, pixel_nm=PIXEL, contrast=0.1, rng=np.random.default_rng(1), shift_px=shift
        )
        frames.append(rng.poisson(100 * (1 + fringes)))
    return np.stack(frames).astype(np.uint16)


def starting_spots(frame, roi):
    r0, c0, r1, c1 = roi
    spots = find_spots(power_spectrum(frame[r0:r1, c0:c1], pixel_nm=PIXEL)).spots[:2]
    return [(s.row_px, s.col_px) for s in spots], [s.d_nm for s in spots]


def test_d_of_t_follows_a_known_expansion():
    rng = np.random.default_rng(0)
    d = np.stack([np.linspace(0.377, 0.3884, 8), np.linspace(0.3653, 0.3653, 8)], axis=1)
    movie = expanding_movie(d, rng=rng)
    roi = (16, 16, 176, 176)
    positions, first = starting_spots(movie[0], roi)
    series = lattice_vs_time(movie, positions, roi=roi, pixel_nm=PIXEL, times_s=np.arange(8) * 0.5)
    order = np.argsort(first)[::-1]
    measured = series.d_nm[:, order]
    assert np.allclose(measured[:, 0], d[:, 0], rtol=2e-3)
    assert np.allclose(measured[:, 1], d[:, 1], rtol=2e-3)
    assert np.all(series.sigma_d_nm > 0) and np.all(series.snr > 50)
    assert series.times_s[-1] == pytest.approx(3.5)


def test_roi_follows_given_drift_and_lost_spots_read_nan():
    rng = np.random.default_rng(1)
    d = np.tile([0.377, 0.3653], (6, 1))
    shifts = [(2.0 * i, -3.0 * i) for i in range(6)]
    movie = expanding_movie(d, shifts=shifts, rng=rng).copy()
    movie[4] = rng.poisson(100, movie.shape[1:])
    roi = (20, 40, 120, 140)
    positions, _ = starting_spots(movie[0], roi)
    series = lattice_vs_time(movie, positions, roi=roi, pixel_nm=PIXEL, shifts_px=shifts)
    assert series.roi_rc[5].tolist() == [30, 25, 130, 125]
    assert np.all(np.isnan(series.d_nm[4])) and np.all(np.isfinite(series.d_nm[5]))
    assert np.allclose(np.sort(series.d_nm[5]), [0.3653, 0.377], rtol=2e-3)


def test_csv_has_one_row_per_frame_in_angstrom(tmp_path):
    rng = np.random.default_rng(2)
    movie = expanding_movie(np.tile([0.377, 0.3653], (3, 1)), rng=rng)
    roi = (0, 0, 128, 128)
    positions, _ = starting_spots(movie[0], roi)
    series = lattice_vs_time(movie, positions, roi=roi, pixel_nm=PIXEL)
    path = series.to_csv(tmp_path / "d_t.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert len(rows) == 3 and set(rows[0]) >= {"frame", "time_s", "spot1_d_A", "spot2_angle_deg"}
    assert float(rows[2]["spot1_d_A"]) == pytest.approx(10 * series.d_nm[2, 0], rel=1e-5)


def test_progress_cancel_and_bad_input():
    movie = np.zeros((3, 64, 64))
    with pytest.raises(ValueError, match="outside"):
        lattice_vs_time(movie, [(1, 1)], roi=(0, 0, 80, 80), pixel_nm=PIXEL)
    with pytest.raises(ValueError, match="at least one spot"):
        lattice_vs_time(movie, [], roi=(0, 0, 32, 32), pixel_nm=PIXEL)
    with pytest.raises(ValueError, match="one time"):
        lattice_vs_time(movie, [(1, 1)], roi=(0, 0, 32, 32), pixel_nm=PIXEL, times_s=[0, 1])
    with pytest.raises(InterruptedError):
        lattice_vs_time(
            movie, [(1, 1)], roi=(0, 0, 32, 32), pixel_nm=PIXEL, should_stop=lambda: True
        )
    seen = []
    lattice_vs_time(
        movie + np.random.default_rng(0).poisson(10, movie.shape),
        [(-5, 5)],
        roi=(0, 0, 32, 32),
        pixel_nm=PIXEL,
        progress=lambda f, m: seen.append(f),
    )
    assert seen == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_a_frame_with_nan_pixels_is_named_by_its_index_as_data():
    movie = np.ones((4, 64, 64))
    movie[2, 40, 10] = np.nan
    with pytest.raises(NonFiniteFrame) as raised:
        lattice_vs_time(movie, [(1, 1)], roi=(8, 0, 48, 32), pixel_nm=PIXEL)
    error = raised.value
    assert isinstance(error, ValueError) and error.frame == 2
    assert error.rows == (8, 47) and error.cols == (0, 31)
    assert str(error) == f"frame 2 {error.advice()}"
    assert error.advice().startswith("has NaN or infinite pixels in the FFT region (rows 8-47")
