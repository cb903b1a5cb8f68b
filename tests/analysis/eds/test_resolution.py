"""The detector resolution is measured on the spectrum (analysis.eds.resolution), its 1σ
carried into the net counts, on spectra drawn by exspy's model at 122 and 138 eV."""

import numpy as np
import pytest

from insitu_tem.analysis.eds.identify import identify_lines
from tests.analysis.eds.test_identify import exspy_spectrum

ELEMENTS = {"Fe": 20000, "Si": 30000, "Cu": 3000, "Ti": 800, "Na": 2000}


@pytest.mark.parametrize("resolution", [122.0, 138.0])
def test_the_fitted_resolution_is_the_detectors_and_no_line_is_lost(resolution):
    counts, energies = exspy_spectrum(ELEMENTS, resolution=resolution, seed=3)
    result = identify_lines(counts, energies, beam_energy_kv=200)
    assert result.ok
    error = result.resolution_mn_ka_ev - resolution
    assert 0 < result.resolution_sigma_ev < 2.0
    assert abs(error) < 2 * result.resolution_sigma_ev
    assert result.resolution_source.startswith("measured on")
    present = {f.element for f in result.with_status("present")}
    assert set(ELEMENTS) <= present <= set(ELEMENTS) | {"C"}
    sodium = next(f for f in result.findings if f.element == "Na")
    assert abs(sodium.net_counts - ELEMENTS["Na"]) < 3 * sodium.sigma


def test_without_a_k_line_the_resolution_is_assumed_and_said_so():
    counts, energies = exspy_spectrum({"Pt": 20000}, resolution=135.0, seed=4)
    result = identify_lines(counts, energies, beam_energy_kv=200)
    assert "not measured" in result.resolution_source
    assert result.resolution_sigma_ev > 5 and np.isfinite(result.resolution_mn_ka_ev)


def test_a_given_resolution_is_used_as_given():
    counts, energies = exspy_spectrum(ELEMENTS, resolution=130.0, seed=5)
    result = identify_lines(counts, energies, beam_energy_kv=200, resolution_mn_ka_ev=128.0)
    assert result.resolution_mn_ka_ev == 128.0 and result.resolution_source == "given"
