"""The edge detection test holds its level on spectra without an edge: no spectrum is detected
by being fitted with its own noise (the reference, a lone spectrum), and the search over the
shift is in the p-value (Davies' bound)."""

import numpy as np

from insitu_tem.analysis.eels.shifts import DETECTION_P, chemical_shift
from insitu_tem.core.model import Axis
from tests.analysis.eels.test_eels_edges import CORE, carbon_like

NITROGEN = Axis("E", 400, 0.25, 361.0, "eV")


def power_laws(count: int, seed: int) -> np.ndarray:
    """``count`` spectra of 1e4 (E / 401 eV)^-3 counts (N K's range, no edge)."""
    law = 1e4 * (NITROGEN.coordinates() / 401.0) ** -3.0
    return np.random.default_rng(seed).poisson(law, (count, NITROGEN.size)).astype(float)


def test_a_lone_power_law_spectrum_is_not_detected_against_itself_but_stays_its_own_reference():
    result = chemical_shift(power_laws(1, 0), NITROGEN, "N-K", reference=0)
    assert np.isnan(result.detection_p).all() and not result.detected.any()
    assert result.shift_eV.tolist() == [0.0] and result.ok and result.reason == ""


def test_the_reference_is_tested_with_its_neighbour_as_the_edge_shape():
    result = chemical_shift(power_laws(3, 1), NITROGEN, "N-K", reference=0)
    assert result.detection_p[0] >= DETECTION_P and not result.detected[0]
    assert "N-K not detected in 3 spectra" in result.reason
    with_edge = chemical_shift(carbon_like([0.0, 0.3, -0.4], seed=5), CORE, "C-K", reference=0)
    assert with_edge.detection_p[0] < DETECTION_P and with_edge.detected.all() and with_edge.ok


def test_without_an_edge_the_p_values_keep_their_level_over_the_shift_search():
    p = np.concatenate(
        [
            chemical_shift(power_laws(64, s), NITROGEN, "N-K", reference=0).detection_p[1:]
            for s in range(3)
        ]
    )
    assert np.mean(p < 0.1) <= 0.16, np.mean(p < 0.1)
