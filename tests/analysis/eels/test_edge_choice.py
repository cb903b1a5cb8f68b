"""A spectrum opens on the edge it shows: the candidate edge with the steepest rise above the
noise, not the first edge of the table inside its range; on none when none rises."""

import numpy as np
import pytest

from insitu_tem.analysis.eels.edge_choice import dataset_default_edge, strongest_edge
from insitu_tem.analysis.eels.edges_table import candidate_edges
from insitu_tem.core.model import Axis, Dataset
from insitu_tem.io.load import load

ENERGY = Axis("E", 1200, 0.25, 350.0, "eV")


def oxygen_only(seed: int = 0) -> np.ndarray:
    """A power law with an O K saw-tooth (onset 532 eV, 1 eV rise) and nothing at N K (401)."""
    e = ENERGY.coordinates()
    background = 2e4 * (e / 350.0) ** -3.0
    edge = 0.4 * background[np.searchsorted(e, 532.0)] * (e / 532.0) ** -2.0
    rise = 0.5 * (1 + np.tanh((e - 532.0) / 0.5))
    return np.random.default_rng(seed).poisson(background + edge * rise).astype(float)


def test_a_spectrum_with_only_o_k_opens_on_o_k_though_n_k_is_in_range():
    spectrum = oxygen_only()
    assert candidate_edges(ENERGY.coordinates())[0] == "N-K"
    assert strongest_edge(spectrum, ENERGY) == "O-K"


def test_without_a_detected_edge_there_is_none_not_the_first_candidate():
    e = ENERGY.coordinates()
    spectrum = np.random.default_rng(1).poisson(2e4 * (e / 350.0) ** -3.0).astype(float)
    assert candidate_edges(e)[0] == "N-K"
    assert strongest_edge(spectrum, ENERGY) is None
    assert strongest_edge(spectrum[:40], Axis("E", 40, 0.25, 350.0, "eV")) is None


def test_a_scan_is_tested_on_its_mean_and_asked_once():
    scan = Dataset(
        "spectrum_series",
        np.stack([oxygen_only(seed) for seed in range(3)]),
        (Axis("x", 3, 1.0, 0.0, "nm"), ENERGY),
    )
    assert dataset_default_edge(scan) == "O-K"
    uncalibrated = Dataset("spectrum", oxygen_only(), (Axis("E", ENERGY.size),))
    assert dataset_default_edge(uncalibrated) is None


@pytest.mark.parametrize("name", ["EELS_STO.dm3", "STO_coreloss.msa"])
def test_srtio3_core_loss_opens_on_ti_l23_not_the_absent_n_k(realdata, name):
    dataset = load(realdata(name))
    assert candidate_edges(dataset.signal_axes[0].coordinates())[0] == "N-K"
    assert dataset_default_edge(dataset) == "Ti-L23"


def test_srtio3_low_loss_opens_on_no_edge_not_w_o23(realdata):
    dataset = load(realdata("STO_lowloss.msa"))
    assert candidate_edges(dataset.signal_axes[0].coordinates())[0] == "W-O23"
    assert dataset_default_edge(dataset) is None
