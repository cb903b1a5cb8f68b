"""Fast subset of the tomography validation (validation.tomo): issue-17 bars on two phantoms, and
the
real EDS tilt series against its authors' alignment when ../shared/realdata is present."""

import numpy as np
import pytest

from validation import tomo
from validation.stats import summarise


@pytest.fixture(scope="module")
def measured():
    return {m.name: m for m in tomo.run(fast=True)}


def _find(measured, start):
    return next(m for name, m in measured.items() if name.startswith(start))


def test_alignment_is_within_a_pixel(measured):
    summary = summarise(_find(measured, "alignment: shift RMS"))
    assert summary.n == 2 and summary.worst <= 1.0, summary


def test_alignment_meets_the_bar(measured):
    """Issue 17's bar on the median shift RMS; the two 64-px, 17-tilt phantoms sit just under it
    (0.51, 0.46 px on 2026-11-30: projection matching run to convergence, MLEM-10 references)."""
    assert summarise(_find(measured, "alignment: shift RMS")).median <= 0.5


def test_shift_sigmas_cover_the_errors(measured):
    summary = summarise(_find(measured, "alignment: every shift component"))
    assert summary.n == 2 * 2 * 17 and 0.5 <= summary.coverage_1sigma <= 0.85, summary
    assert summary.coverage_2sigma >= 0.85, summary


def test_reconstruction_and_thickness_meet_the_bars(measured):
    assert summarise(_find(measured, "reconstruction")).passed
    thickness = _find(measured, "shell thickness")
    assert thickness.n_not_measured == 0 and np.all(np.abs(thickness.errors) <= 1.5)
    assert np.all(np.abs(_find(measured, "tilt-axis offset").errors) <= 1.0)


def test_real_series_across_the_axis_agrees_with_the_authors(measured):
    if not any(name.startswith("real") for name in measured):
        pytest.skip(f"real data not found at {tomo.realdata_folder()}")
    across = _find(measured, "real EDS series: ours − authors' tomviz shifts, across")
    assert np.sqrt(np.mean(across.errors**2)) < 1.0


def test_real_series_along_the_axis_agrees_with_the_authors(measured):
    """Along the axis only the particle's extent fixes the shifts; with the authors' sign
    convention (:func:`validation.tomo.authors_shifts`) the two alignments agree to ~0.8 px RMS."""
    if not any(name.startswith("real") for name in measured):
        pytest.skip(f"real data not found at {tomo.realdata_folder()}")
    along = _find(measured, "real EDS series: ours − authors' tomviz shifts, along")
    assert np.sqrt(np.mean(along.errors**2)) < 1.2


def test_held_out_phantoms_are_drawn_apart_from_the_development_ones():
    """Coverage of a 1σ is a measurement only over enough cases: 60 held-out wires (a 68 %
    coverage's binomial 1σ is then 6 points, under half the 60–75 % band) whose core, shell and
    offset vary within the documented ranges, none a development seed."""
    assert len(tomo.HELD_OUT_SEEDS) >= 60
    assert not set(tomo.HELD_OUT_SEEDS) & set(tomo.DEVELOPMENT_SEEDS)
    phantoms = [tomo.random_phantom(s) for s in tomo.HELD_OUT_SEEDS]
    core = np.array([p.core_radius for p in phantoms])
    shell = np.array([p.shell_radius - p.core_radius for p in phantoms])
    assert np.all((0.13 <= core) & (core <= 0.20)) and np.all((0.08 <= shell) & (shell <= 0.14))
    assert np.ptp(core) > 0.04 and np.ptp(shell) > 0.03
    assert all(abs(p.axis_offset_px) <= 4 for p in phantoms)


def test_material_volumes_beat_the_label_counts(measured):
    """The corrected volumes of the materials (tomo.material_volume) against the label counts,
    both against the phantom's material volumes."""
    for part in ("core", "shell"):
        label = _find(measured, f"volume of the {part} label")
        material = _find(measured, f"material volume of the {part}")
        assert material.n_not_measured == 0
        assert np.all(np.abs(material.errors) < 2.0), material.errors
        assert np.sqrt(np.mean(material.errors**2)) < np.sqrt(np.mean(label.errors**2))
