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


def test_a_lone_spectrum_has_no_shift_and_no_detection_test_with_the_reason():
    result = chemical_shift(power_laws(1, 0), NITROGEN, "N-K", reference=0)
    assert np.isnan(result.detection_p).all() and not result.detected.any()
    assert np.isnan(result.shift_eV).all() and np.isnan(result.stderr_eV).all()
    assert not result.ok and "lone spectrum" in result.reason and "not tested" in result.reason


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


TUNGSTEN = Axis("E", 600, 0.05, 20.0, "eV")


def test_the_edge_statistic_has_unit_spread_on_fine_channels_smoothed_over_six():
    """W O2,3 geometry (0.05 eV/channel, the 0.3 eV smoothing over 6 channels): without an edge
    the statistic at a fixed shift is a standard variable; session 27's noise estimate from the
    smoothed residuals gave it a spread of 1.3."""
    from insitu_tem.analysis.eels.shift_fit import fit_shift
    from insitu_tem.analysis.eels.shifts import _pre_edge_law

    e = TUNGSTEN.coordinates()
    channels = slice(int(np.searchsorted(e, 28.8)), int(np.searchsorted(e, 48.8)))
    grid = np.arange(-3.0, 3.0 + 1e-9, 0.025)
    rng = np.random.default_rng(11)
    z = []
    for counts in (3e2, 3e3, 3e4, 3e5):
        law = counts * (e / 36.8) ** -3.5
        for _ in range(2):
            y = rng.poisson(law, (41, e.size)).astype(float)
            background = _pre_edge_law(y[0], TUNGSTEN, (28.8, 34.3), e[channels], "power_law")
            fit = fit_shift(y[1:], y[0], e, channels, background, order=2, grid=grid)
            z.append(fit.edge_z[:, len(grid) // 2])
    spread = np.std(np.concatenate(z))
    assert 0.9 < spread < 1.1, spread
