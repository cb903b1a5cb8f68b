"""Fast subset of the HRTEM validation (validation.hrtem): lattice spacings and reported reflections
on committed abTEM multislice fixtures against the issue-12 targets."""

import numpy as np
import pytest

from validation import hrtem
from validation.stats import summarise

pytestmark = pytest.mark.slow

LARGE = "lattice d, crystals ≥ 10 nm (%)"
SMALL = "lattice d, crystals 2–10 nm (%)"
SPOTS = "single-spot d, 20 strongest spots, all sizes (%)"
MISSED = "reflections with local SNR ≥ 5 not reported"
MISSED_LOW = "lowest-order reflections with local SNR ≥ 5 not reported"
AMORPHOUS = "spots reported on amorphous regions"
RELIABLE = (
    "reflections an ideal node test at 0.01 false spots per image finds with probability ≥ 0.99 "
    "not reported"
)


@pytest.fixture(scope="module")
def measured():
    return {m.name.split(" (fraction")[0]: m for m in hrtem.run(fast=True)}


def test_large_crystals_give_the_lattice_to_the_target_accuracy(measured):
    summary = summarise(measured[LARGE])
    assert summary.n >= 12 and summary.median <= 0.1 and summary.p95 <= 0.3
    assert 0.60 <= summary.coverage_1sigma <= 0.75


def test_large_crystals_meet_the_spacing_targets(measured):
    assert summarise(measured[LARGE]).passed


def test_small_crystals_meet_the_spacing_targets(measured):
    assert summarise(measured[SMALL]).passed


def test_small_crystals_are_measured(measured):
    summary = summarise(measured[SMALL])
    assert summary.n >= 14 and measured[SMALL].n_not_measured <= 4
    assert summary.median <= 0.5 and summary.p95 <= 1.0
    assert 0.60 <= summary.coverage_1sigma <= 0.75 and summary.coverage_2sigma >= 0.9


def test_single_spot_sigmas_cover_their_errors(measured):
    summary = summarise(measured[SPOTS])
    assert summary.n >= 150 and 0.60 <= summary.coverage_1sigma <= 0.75
    assert summary.coverage_2sigma >= 0.85


def test_every_reflection_an_ideal_detector_finds_is_reported(measured):
    """The target rows (session 32): every reflection the ideal node test at 0.01 false spots per
    image finds with probability ≥ 0.99 is reported, the lowest orders too."""
    for name in (RELIABLE, "lowest-order " + RELIABLE):
        summary = summarise(measured[name])
        assert summary.passed and summary.worst == 0.0


def test_the_lowest_order_reflections_near_the_centre_are_reported(measured):
    assert summarise(measured[MISSED_LOW]).worst == 0.0


def test_no_spot_is_reported_on_amorphous_regions(measured):
    (row,) = [m for name, m in measured.items() if name.startswith(AMORPHOUS)]
    assert row.errors.size >= 2 and row.errors.max() == 0


def test_most_reflections_with_snr_5_are_reported(measured):
    assert summarise(measured[MISSED]).worst <= 0.005
    assert summarise(measured[MISSED_LOW]).worst <= 0.06


def test_no_reflection_is_reported_twice():
    from insitu_tem.analysis.hrtem.lattice_report import measure_lattice

    image, truth = hrtem.corpus(fast=True)[0][5]
    assert truth["case"]["phase"] == "Li" and truth["case"]["diameter_nm"] < 2.5
    spots = measure_lattice(image, pixel_nm=truth["pixel_A"] / 10, match=False).spots
    positions = np.array([(s.row_px, s.col_px) for s in spots])
    apart = np.minimum(
        np.hypot(*(positions[:, None] - positions[None]).transpose(2, 0, 1)),
        np.hypot(*(positions[:, None] + positions[None]).transpose(2, 0, 1)),
    )
    assert len(spots) >= 5 and np.min(apart + np.eye(len(spots)) * 99) >= 1.0


def test_most_spots_on_crystals_lie_on_a_reflection_or_an_alias_satellite(measured):
    (row,) = [m for name, m in measured.items() if name.startswith("reported spots at no")]
    assert row.errors[0] <= 0.05


def test_spots_are_classified_by_where_they_lie():
    from validation.hrtem_spots import classify, simulation_step_A, zone_lattice

    image, truth = hrtem.corpus(fast=True)[0][10]
    assert truth["case"]["phase"] == "Cu" and truth["case"]["diameter_nm"] > 10
    to_px = truth["pixel_A"] * np.asarray(image.shape, float)
    fold = np.array([0.0, 1.0]) / simulation_step_A(truth["case"])
    lattice = zone_lattice(truth, 6.0)
    alias = lattice[np.argmin(np.hypot(*(lattice - fold).T))] - fold
    listed = np.asarray(truth["g_rc_per_A"])[0]
    points = np.array([listed, alias, 0.5 * listed + 0.8 / to_px]) * to_px
    assert list(classify(points, truth, image.shape)) == [0, 2, 3]


def test_a_delocalised_small_crystal_is_not_determined_and_says_why():
    from insitu_tem.analysis.hrtem.lattice_report import measure_lattice

    image, truth = hrtem.corpus(fast=True)[0][6]
    case = truth["case"]
    assert case["phase"] == "Li" and case["defocus_A"] < -500 and case["cs_A"] > 1e6
    measured = measure_lattice(image, pixel_nm=truth["pixel_A"] / 10, match=False)
    assert not measured.fit.ok and "not determined" in measured.fit.reason
    assert any("delocalises" in warning for warning in measured.warnings)
    errors = hrtem._spot_errors(measured, truth, image.shape)
    assert len(errors) >= 2 and all(np.isfinite(s) and s > 0 for _, s in errors)


def test_crystalline_fraction_sigma_covers_its_error(measured):
    (row,) = [m for name, m in measured.items() if name.startswith("crystalline fraction")]
    summary = summarise(row)
    assert summary.n >= 6 and summary.median <= 3.0
    assert summary.coverage_1sigma >= 0.5 and summary.coverage_2sigma >= 0.8


def _held_out(index: int):
    from validation.abtem_corpus import load

    return load(hrtem.HELD_OUT)[0][index]


def test_subsidiary_maxima_beside_strong_reflections_are_not_reported():
    """W [110] 11.8 nm at −579 Å, Cs 1.2 mm (held out): reflections 10⁴–10⁵ ring-noise units
    high, whose transforms hold maxima 15–70 units high up to ~15 px away; none of those is a
    spot (10 of them were reported before session 32)."""
    from insitu_tem.analysis.hrtem.lattice_report import measure_lattice
    from validation.hrtem_spots import FALSE, classify

    image, truth = _held_out(7)
    assert truth["case"]["phase"] == "W" and truth["case"]["diameter_nm"] > 11
    spots = measure_lattice(image, pixel_nm=truth["pixel_A"] / 10, match=False).spots
    at = np.array([(s.row_px, s.col_px) for s in spots])
    assert len(spots) >= 30 and np.sum(classify(at, truth, image.shape) == FALSE) <= 3


def test_spots_of_higher_order_laue_zones_are_reflections_of_the_crystal():
    """Si [111] 12.6 nm, 3.7 nm thick (held out): the six strong spots at 1/3 and 2/3 of {422}
    are the first Laue zone's reflections projected by a thickness that is no whole number of
    (111) periods, not false spots."""
    from insitu_tem.analysis.hrtem.lattice_report import measure_lattice
    from validation.hrtem_spots import LAUE, classify

    image, truth = _held_out(1)
    assert truth["case"]["phase"] == "Si" and truth["case"]["zone"] == [1, 1, 1]
    spots = measure_lattice(image, pixel_nm=truth["pixel_A"] / 10, match=False).spots
    at = np.array([(s.row_px, s.col_px) for s in spots])
    laue = np.hypot(*at[classify(at, truth, image.shape) == LAUE].T)
    g220_px = truth["pixel_A"] * image.shape[0] * np.sqrt(8) / 5.431
    assert laue.size >= 6
    assert np.all(np.min(np.abs(laue[:, None] / g220_px - np.array([1, 2]) / np.sqrt(3)), 1) < 0.01)
