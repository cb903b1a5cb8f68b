"""The lattice's change under a narrower analysis window enters its 1σ; with a large systematic 1σ
the lattice is not determined and the user is told why."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.lattice_report import measure_lattice
from insitu_tem.analysis.hrtem.lattice_determined import (
    WINDOW_LIMIT,
    determination_warning,
    undetermined,
)
from insitu_tem.analysis.hrtem.lattice_window import WINDOW_SHIFT_FRACTION, window_shift

PIXEL_NM = 0.03
SIZE = 100


def square_lattice(*, phase_step: float = 0.0) -> np.ndarray:
    """Two crossed fringes of period 0.25 nm (rotated 20°) with noise; the first one's phase jumps
    by ``phase_step`` rad 30 % of the way across, as where a delocalised sideband of a small
    crystal ends."""
    rows, cols = np.indices((SIZE, SIZE)) * PIXEL_NM
    angle = math.radians(20.0)
    along = cols * math.cos(angle) + rows * math.sin(angle)
    across = -cols * math.sin(angle) + rows * math.cos(angle)
    step = np.where(cols > 0.3 * SIZE * PIXEL_NM, phase_step, 0.0)
    noise = np.random.default_rng(7).normal(0.0, 0.2, rows.shape)
    return (
        10.0 + np.cos(2 * np.pi * along / 0.25 + step) + np.cos(2 * np.pi * across / 0.25) + noise
    )


def test_a_perfect_lattice_does_not_depend_on_the_window():
    measured = measure_lattice(square_lattice(), pixel_nm=PIXEL_NM, match=False)
    assert measured.fit.two_dimensional
    assert np.max(np.abs(measured.fit.window_shift)) < 1e-3
    assert not any("delocalises" in w for w in measured.warnings)


def test_a_fringe_whose_envelope_changes_phase_widens_the_lattice_sigma():
    measured = measure_lattice(square_lattice(phase_step=0.5), pixel_nm=PIXEL_NM, match=False)
    fit = measured.fit
    shifted = max(fit.window_shift, key=abs)
    assert fit.ok and 0.002 < abs(shifted) <= WINDOW_LIMIT
    assert not any("not determined" in w for w in measured.warnings)
    relative = [fit.sigma_d_a_nm / fit.d_a_nm, fit.sigma_d_b_nm / fit.d_b_nm]
    assert max(relative) >= WINDOW_SHIFT_FRACTION * abs(shifted) * 0.999


def test_a_lattice_that_changes_more_than_half_a_percent_is_not_determined():
    measured = measure_lattice(square_lattice(phase_step=1.5), pixel_nm=PIXEL_NM, match=False)
    fit = measured.fit
    assert not fit.ok and "not determined" in fit.reason and "delocalises" in fit.reason
    assert max(abs(s) for s in fit.window_shift) > WINDOW_LIMIT
    assert fit.reason in measured.warnings and determination_warning(fit) == fit.reason
    assert len(measured.spots) >= 2
    assert all(math.isfinite(s.sigma_d_nm) and s.sigma_d_nm > 0 for s in measured.spots)


def test_the_rule_keeps_a_lattice_within_half_a_percent_and_gives_the_spacings():
    steady = measure_lattice(square_lattice(phase_step=0.5), pixel_nm=PIXEL_NM, match=False).fit
    assert undetermined(steady) is steady and determination_warning(steady) == ""
    moved = replace(steady, window_shift=(0.0, 2 * WINDOW_LIMIT))
    failed = undetermined(moved)
    assert not failed.ok and failed.window_shift == moved.window_shift
    assert f"{10 * steady.d_a_nm:.3f}" in failed.reason and "1.0 %" in failed.reason
    in_px = undetermined(moved, calibrated=False).reason
    assert f"{steady.d_a_nm:.2f} px" in in_px and "Å" not in in_px


def test_the_window_shift_is_measured_again_from_the_spots():
    measured = measure_lattice(square_lattice(phase_step=0.5), pixel_nm=PIXEL_NM, match=False)
    again = window_shift(measured.spectrum, measured.spots, measured.fit)
    assert again == pytest.approx(measured.fit.window_shift, rel=1e-9)
