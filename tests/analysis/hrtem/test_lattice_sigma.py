"""The lattice's and each spot's 1σ include the spots' systematic scatter about the lattice."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.fft_lattice import Spot
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit, fit_lattice, with_spot_sigmas

A_STAR = np.array([0.0, 3.0])
B_STAR = np.array([-3.0, 0.0])


def spot(g, *, sigma_g=1e-5, snr=100.0) -> Spot:
    g_row, g_col = (float(v) for v in g)
    return Spot(
        row_px=g_row,
        col_px=g_col,
        g_per_nm=math.hypot(g_row, g_col),
        angle_deg=math.degrees(math.atan2(-g_row, g_col)) % 180.0,
        snr=snr,
        intensity=0.1,
        sigma_g_per_nm=sigma_g,
        g_row_per_nm=g_row,
        g_col_per_nm=g_col,
    )


def lattice_spots(indices, *, scale_of=lambda h, k: 1.0, rng=None, scatter=0.0):
    out = []
    for h, k in indices:
        g = (h * A_STAR + k * B_STAR) * scale_of(h, k)
        if rng is not None:
            g = g + rng.normal(0.0, scatter, 2)
        out.append(spot(g))
    return out


SHELLS = [(1, 0), (0, 1), (1, 1), (1, -1), (2, 0), (0, 2)]


def test_shells_that_disagree_widen_the_spacing_sigma():
    exact = fit_lattice(lattice_spots(SHELLS), tolerance=0.02)
    moved = fit_lattice(
        lattice_spots(SHELLS, scale_of=lambda h, k: 1.01 if abs(h) == abs(k) else 1.0),
        tolerance=0.02,
    )
    assert exact.ok and moved.ok and exact.sigma_d_a_nm / exact.d_a_nm < 1e-4
    relative = moved.sigma_d_a_nm / moved.d_a_nm
    assert 0.002 < relative < 0.01 and moved.sigma_d_b_nm / moved.d_b_nm == pytest.approx(
        relative, rel=0.05
    )


def test_spot_sigma_covers_the_scatter_about_the_lattice():
    rng = np.random.default_rng(3)
    indices = [(h, k) for h in range(-3, 4) for k in range(0, 4) if (k > 0 or h > 0)]
    covered, total = 0, 0
    for _ in range(10):
        spots = lattice_spots(indices, rng=rng, scatter=0.02)
        fit = fit_lattice(spots, tolerance=0.05)
        for (h, k), measured in zip(indices, with_spot_sigmas(tuple(spots), fit)):
            true_d = 1.0 / np.linalg.norm(h * A_STAR + k * B_STAR)
            covered += abs(measured.d_nm - true_d) <= measured.sigma_d_nm
            total += 1
    assert 0.6 <= covered / total <= 0.8


def test_without_a_lattice_the_spot_sigma_is_its_own():
    lone = spot((0.0, 3.0), sigma_g=0.01)
    (measured,) = with_spot_sigmas((lone,), LatticeFit(False, "no spot could be indexed"))
    assert math.isnan(lone.sigma_d_nm)
    assert measured.sigma_d_nm == pytest.approx(lone.d_nm**2 * 0.01)
