"""Edge table, onsets and chemical shifts: synthetic edges with known shifts, the sample scan,
real spectra."""

import json

import numpy as np
import pytest

from insitu_tem.analysis.eels import (
    EDGES,
    analyse_edge,
    chemical_shift,
    edge_onset,
    edges_in_range,
    find_edge,
)
from insitu_tem.io.load import load
from insitu_tem.core.model import Axis

CORE = Axis("E", 800, 0.1, 240.0, "eV")


def carbon_like(shifts, *, counts=3e3, seed=0):
    """C K-like edges (step + π* peak) on a power law, onsets at 284 eV + shift, Poisson counts."""
    e = CORE.coordinates()
    onset = 284.0 + np.asarray(shifts, float)[..., None]
    edge = 0.5 * (1 + np.tanh((e - onset) / 0.4)) * (e / 284.0) ** -2 + 0.8 * np.exp(
        -0.5 * ((e - onset - 1.5) / 0.6) ** 2
    )
    model = counts * (8 * (e / 240.0) ** -3.5 + edge)
    return np.random.default_rng(seed).poisson(model).astype(float)


def test_edge_table_lookup():
    assert find_edge("li k").name == "Li-K"
    assert find_edge("W O2,3").lines == (("O3", 36.8), ("O2", 45.3))
    assert find_edge("Si-L23").onset_eV == pytest.approx(99.2)
    for name in (
        "W-N67",
        "W-O1",
        "W-M45",
        "B-K",
        "C-K",
        "N-K",
        "O-K",
        "F-K",
        "Ti-L23",
        "Cr-L23",
        "Mn-L23",
        "Cu-M23",
        "Cu-L23",
    ):
        assert name in EDGES
    assert {e.name for e in edges_in_range(30, 80)} >= {"W-N67", "W-O23", "Li-K", "Cu-M23", "W-O1"}
    with pytest.raises(ValueError, match="use one of"):
        find_edge("Xx-K")


def test_onset_is_the_steepest_point_of_the_rise():
    shifts = np.array([0.0, 0.7, -1.2])
    onset = edge_onset(carbon_like(shifts, counts=1e5), CORE, "C-K", smooth_eV=0.2)
    assert onset.ok and "first derivative" in onset.definition
    assert np.allclose(onset.onset_eV - shifts, onset.onset_eV[0], atol=0.03)
    assert 284.0 < onset.onset_eV[0] < 285.0


def test_chemical_shift_known_answers_and_honest_errors():
    truth = np.random.default_rng(6).uniform(-1.5, 1.5, 60)
    truth[0] = 0.0
    spectra = carbon_like(truth, seed=1)
    reference = carbon_like(np.zeros(20), seed=2).mean(axis=0)
    result = chemical_shift(spectra, CORE, "C-K", reference=reference)
    error = result.shift_eV - truth
    assert result.ok
    assert np.sqrt(np.mean(error**2)) < 0.03
    pulls = error / result.stderr_eV
    assert 0.5 < np.std(pulls) < 2.0
    by_index = chemical_shift(spectra, CORE, "C-K", reference=0)
    assert by_index.shift_eV[0] == 0.0 and by_index.stderr_eV[0] == 0.0
    assert np.sqrt(np.mean((by_index.shift_eV - truth) ** 2)) < 0.04


def test_chemical_shift_bad_reference():
    spectra = carbon_like(np.zeros(3))
    with pytest.raises(ValueError, match="outside the scan"):
        chemical_shift(spectra, CORE, "C-K", reference=7)
    with pytest.raises(ValueError, match="same axis"):
        chemical_shift(spectra, CORE, "C-K", reference=np.ones(10))


def sample(sample_data):
    path = sample_data / "eels_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/eels_linescan.hspy not generated")
    return load(path), json.loads((sample_data / "eels_linescan.truth.json").read_text())


@pytest.mark.parametrize("reference", [0, 45])
def test_sample_w_o23_shift_profile_within_goal(sample_data, reference):
    dataset, truth = sample(sample_data)
    expected = np.array(truth["w_o23_shift_eV"]) - truth["w_o23_shift_eV"][reference]
    result = analyse_edge(dataset.array, dataset.signal_axes[0], "W-O23", reference=reference)
    assert result.deconvolved
    error = result.shift.shift_eV - expected
    assert np.sqrt(np.mean(error**2)) <= 0.05
    assert (
        np.all(result.shift.stderr_eV < 0.06)
        and np.mean(np.abs(error) <= 2 * result.shift.stderr_eV) >= 0.8
    )
    reduced = np.array(truth["distance_from_front_nm"]) < -60
    assert np.allclose(result.onset.onset_eV[reduced], 36.8 - 1.5, atol=0.25)


def test_real_carbon_k_onset(realdata):
    dataset = load(realdata("08_carbon.dm3"))
    onset = edge_onset(dataset.array, dataset.signal_axes[0], "C-K")
    assert onset.onset_eV == pytest.approx(283.1, abs=0.2)
    assert 0.02 < onset.stderr_eV < 0.3


def test_real_sto_onsets_and_the_ones_the_noise_cannot_place(realdata):
    calibrated = load(realdata("EELS_STO.dm3"))
    energy = calibrated.signal_axes[0]
    titanium = edge_onset(calibrated.array, energy, "Ti-L23")
    assert 454.0 < titanium.onset_eV < 460.0 and 0.01 < titanium.stderr_eV < 0.2
    oxygen = edge_onset(calibrated.array, energy, "O-K")
    assert not oxygen.ok and "single steepest rise" in oxygen.reason
    stored = load(realdata("STO_coreloss.msa"))
    assert not edge_onset(stored.array, stored.signal_axes[0], "Ti-L23").ok


def test_onset_sigma_covers_its_scatter():
    shifts = np.zeros(200)
    truth = edge_onset(carbon_like(shifts[:2], counts=1e7), CORE, "C-K").onset_eV[0]
    onset = edge_onset(carbon_like(shifts, counts=300, seed=11), CORE, "C-K")
    z = np.abs(onset.onset_eV - truth) / onset.stderr_eV
    assert onset.found.mean() >= 0.9 and 0.6 <= np.mean(z[onset.found] <= 1) <= 0.9
    assert np.mean(z[onset.found] <= 2) >= 0.9
    assert np.all(onset.background_eV[onset.found] < onset.statistical_eV[onset.found])


def test_no_edge_is_not_measured():
    background = np.random.default_rng(3).poisson(
        3e3 * 8 * (CORE.coordinates() / 240.0) ** -3.5, (2, CORE.size)
    )
    onset = edge_onset(background.astype(float), CORE, "C-K")
    assert not onset.ok and "above the noise" in onset.reason and np.isnan(onset.onset_eV).all()
    assert edge_onset(carbon_like([0.0, 0.5]), CORE, "C-K").ok


def test_shift_error_includes_the_systematic_term():
    result = chemical_shift(carbon_like(np.linspace(0.0, 1.0, 6), seed=4), CORE, "C-K", reference=0)
    assert result.ok and np.all(result.systematic_eV[1:] > 0)
    assert np.allclose(result.stderr_eV, np.hypot(result.statistical_eV, result.systematic_eV))


def test_absent_edge_is_not_detected_by_the_f_test():
    with_edge = carbon_like([0.0, 0.3, -0.4], seed=5)
    background = np.random.default_rng(7).poisson(
        3e3 * 8 * (CORE.coordinates() / 240.0) ** -3.5, (3, CORE.size)
    )
    result = chemical_shift(np.vstack([with_edge, background]), CORE, "C-K", reference=0)
    assert result.detected.tolist() == [True] * 3 + [False] * 3
    assert result.found.tolist() == [True] * 3 + [False] * 3 and not result.ok
    assert "C-K not detected in 3 spectra (test" in result.reason
    assert np.all(result.detection_p[1:3] < 1e-3) and np.all(result.detection_p[3:] >= 1e-3)
    assert np.isnan(result.shift_eV[3:]).all() and np.isfinite(result.shift_eV[:3]).all()
    one = chemical_shift(np.vstack([with_edge, background[:1]]), CORE, "C-K", reference=0)
    assert "C-K not detected in 1 spectrum (test" in one.reason
