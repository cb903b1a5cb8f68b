"""On the rising side of the detector's low-energy roll-off the continuum climbs within a few
line widths; a spectrum without light elements must not get C, N or Sc lines there
(analysis.eds.continuum.roll_off_error)."""

import pytest

from insitu_tem.analysis.eds.identify import identify_lines
from tests.analysis.eds.test_identify import exspy_spectrum


@pytest.mark.parametrize(("continuum", "seed"), [(20.0, 1), (100.0, 0)])
def test_a_roll_off_without_light_elements_gets_no_light_element(continuum, seed):
    counts, energies = exspy_spectrum({"Fe": 5000, "Cu": 3000}, continuum=continuum, seed=seed)
    result = identify_lines(counts, energies, beam_energy_kv=200)
    present = {f.element for f in result.with_status("present")}
    assert present == {"Fe", "Cu"}


def test_a_strong_carbon_line_on_the_roll_off_is_still_found():
    counts, energies = exspy_spectrum({"Fe": 5000, "C": 20000}, continuum=20.0, seed=2)
    result = identify_lines(counts, energies, beam_energy_kv=200)
    carbon = next(f for f in result.findings if f.element == "C")
    assert carbon.status == "present"
    assert abs(carbon.net_counts - 20000) < 3 * carbon.sigma


def test_calciums_l_peak_is_not_taken_for_carbon():
    # exspy gives Ca Lα no weight (Ca's 3d shell is empty): Ca L is Ll and Lη at 0.30 keV.
    # main: C Kα present with 794 000 ± 61 000 counts on that peak.
    counts, energies = exspy_spectrum({"Ca": 30000, "Fe": 3000}, seed=0)
    result = identify_lines(counts, energies, beam_energy_kv=200)
    assert {f.element for f in result.with_status("present")} == {"Ca", "Fe"}
    calcium = next(f for f in result.findings if f.element == "Ca")
    assert calcium.lines[0] == "Ca_Ka" and abs(calcium.net_counts - 30000) < 3 * calcium.sigma
