"""What the map of a 2-D NBD scan offers and reads from the scan result: a ring's spacing near
the known d with its 1σ, and why a probe has none."""

import numpy as np
import pytest

from insitu_tem.gui.panels.nbd.map_quantities import (
    RING_D,
    STRAIN,
    map_values,
    quantities,
    value_text,
)


def _value():
    return {
        "crystalline": [True, False, True],
        "reference_index": 0,
        "lattice_strain": [0.0, np.nan, 0.004],
        "lattice_strain_sigma": [0.0001, np.nan, 0.0002],
        "lattice_strain_reason": ["", "too few spots matched (0 of 6 needed)", ""],
        "phase_fractions": {"first pattern": [1.0, 0.5, 0.0], "free 1": [0.0, 0.5, 1.0]},
        "phase_fractions_sigma": {"first pattern": [0.1] * 3, "free 1": [0.1] * 3},
        "ring_q_per_A": [[0.25, 1 / 2.25], [0.3], []],
        "ring_q_sigma_per_A": [[0.001, 0.002], [0.001], []],
    }


def test_the_map_offers_what_the_scan_measured():
    assert quantities(None) == ["Virtual bright field", "Virtual annular dark field"]
    names = quantities(_value())
    assert names[2:4] == [STRAIN, "Crystalline"] and names[-1] == RING_D
    assert "Phase fraction: intermediate 1" in names


def test_the_ring_nearest_the_known_d_is_mapped_with_its_sigma_or_why_not():
    shown = map_values(_value(), RING_D, known_d_A=2.238)
    assert shown.values[0] == pytest.approx(2.25) and shown.units == "Å"
    assert shown.sigma[0] == pytest.approx(0.002 * 2.25**2)
    assert np.isnan(shown.values[1:]).all()
    assert shown.reasons[1] == "no ring within 10 % of 2.238 Å"
    assert "no such ring at 2 of 3 probes" in shown.note
    assert value_text(shown, 1) == "not measured: no ring within 10 % of 2.238 Å"


def test_strain_is_mapped_in_percent_with_the_reason_where_it_is_missing():
    shown = map_values(_value(), STRAIN, known_d_A=2.238)
    np.testing.assert_allclose(shown.values, [0.0, np.nan, 0.4])
    assert value_text(shown, 2) == "0.4 ± 0.02 %"
    assert value_text(shown, 1) == "not measured: too few spots matched (0 of 6 needed)"
