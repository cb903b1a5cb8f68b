"""A lattice that changes across the region (a STEM scan stretched by drift) carries that spread in
its 1σ, so a part of the region agrees with the whole; a periodic lattice gets no such term."""

from __future__ import annotations

import math

import numpy as np

from insitu_tem.analysis.hrtem.lattice_report import measure_lattice

PIXEL_NM = 0.1
SIZE = 256


def crossed_fringes(*, stretch: float) -> np.ndarray:
    """Fringes along the rows (period 0.9 nm, growing linearly by ``stretch`` from the top row to
    the bottom one, as a slow scan under drift writes them) crossed with fringes along the columns
    (period 0.7 nm), in white noise of the fringes' amplitude."""
    rows, cols = np.indices((SIZE, SIZE), dtype=float)
    period_px = 9.0 * (1.0 + stretch * (rows[:, :1] / SIZE - 0.5))
    phase = 2.0 * np.pi * np.cumsum(1.0 / period_px, axis=0)
    noise = np.random.default_rng(0).normal(0.0, 1.0, rows.shape)
    return np.cos(phase) * np.ones((1, SIZE)) + np.cos(2.0 * np.pi * cols / 7.0) + noise


def _row_spacing(region: np.ndarray):
    fit = measure_lattice(region, pixel_nm=PIXEL_NM, match=False).fit
    assert fit.ok
    along_rows = abs(fit.a_star[0]) > abs(fit.a_star[1])
    if along_rows:
        return fit.d_a_nm, fit.sigma_d_a_nm, fit.field_spread[0]
    return fit.d_b_nm, fit.sigma_d_b_nm, fit.field_spread[1]


def test_a_stretched_scan_whole_and_half_agree_within_their_sigmas():
    image = crossed_fringes(stretch=0.02)
    whole, sigma_whole, spread = _row_spacing(image)
    top, sigma_top, _ = _row_spacing(image[: SIZE // 2])
    assert abs(whole - top) > 0.003  # the top half's lattice is 0.5 % finer than the field's
    assert abs(whole - top) <= 1.5 * math.hypot(sigma_whole, sigma_top)
    assert spread > 0.003
    warnings = measure_lattice(image, pixel_nm=PIXEL_NM, match=False).warnings
    assert any("varies across the region" in w for w in warnings)


def test_a_periodic_lattice_has_no_field_term():
    measured = measure_lattice(crossed_fringes(stretch=0.0), pixel_nm=PIXEL_NM, match=False)
    assert measured.fit.field_spread == (0.0, 0.0)
    assert not any("varies across the region" in w for w in measured.warnings)
    assert abs(measured.fit.d_a_nm / 0.9 - 1) < 1e-3 or abs(measured.fit.d_b_nm / 0.9 - 1) < 1e-3
