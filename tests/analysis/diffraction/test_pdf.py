"""Electron PDF: interatomic distances read back from simulated ring profiles."""

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.pdf import atomic_terms, reduced_pdf
from insitu_tem.analysis.crystal.phases import get_phase
from insitu_tem.analysis.crystal.debye import simulate_ring_profile

Q = np.linspace(0.02, 2.6, 1291)


@pytest.fixture(scope="module")
def profiles():
    return {
        name: simulate_ring_profile(get_phase(name), grain_diameter_nm=size, q_per_A=Q)
        for name, size in (("W", 3.0), ("Li2O", 2.0))
    }


def first_peak(result, low, high):
    inside = [r for r in result.peaks_A if low <= r <= high]
    assert inside, f"no G(r) peak in {low}-{high} Å: {result.peaks_A}"
    return inside[0]


@pytest.mark.parametrize("damping", ["lorch", 0.002])
def test_tungsten_nearest_neighbour_is_274_pm(profiles, damping):
    profile = profiles["W"]
    result = reduced_pdf(
        profile.q_per_A, profile.intensity, composition={"W": 1}, q_max_per_A=2.5, damping=damping
    )
    assert first_peak(result, 2.0, 3.0) == pytest.approx(3.1652 * np.sqrt(3) / 2, abs=0.04)
    assert result.peaks_A[0] == pytest.approx(2.74, abs=0.04)
    assert first_peak(result, 4.2, 4.8) == pytest.approx(3.1652 * np.sqrt(2), abs=0.05)
    assert result.normalisation == pytest.approx(1.587**2, rel=0.1)


def test_li2o_li_o_distance_is_two_angstrom(profiles):
    profile = profiles["Li2O"]
    result = reduced_pdf(
        profile.q_per_A,
        profile.intensity * 7.0 + 3.0,
        composition={"Li": 2, "O": 1},
        q_max_per_A=2.5,
    )
    assert result.peaks_A[0] == pytest.approx(4.6114 * np.sqrt(3) / 4, abs=0.05)
    assert first_peak(result, 3.0, 3.5) == pytest.approx(4.6114 / np.sqrt(2), abs=0.06)
    assert result.background == pytest.approx(3.0, abs=1.0)


def test_atomic_terms_weight_the_composition():
    mean_f2, mean_f_sq = atomic_terms([0.0, 1.0], {"Li": 2, "O": 1})
    assert np.all(mean_f2 >= mean_f_sq)
    single_f2, single_f_sq = atomic_terms([0.5], {"W": 3})
    assert single_f2 == pytest.approx(single_f_sq)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"composition": {}}, "composition"),
        ({"composition": {"W": 1}, "q_max_per_A": 9.0}, "largest q"),
        ({"composition": {"W": 1}, "damping": "hann"}, "damping"),
    ],
)
def test_bad_inputs_say_how_to_fix(profiles, kwargs, message):
    options = {"q_max_per_A": 2.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        reduced_pdf(profiles["W"].q_per_A, profiles["W"].intensity, **options)
