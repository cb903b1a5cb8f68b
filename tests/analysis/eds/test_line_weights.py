"""An M family's line weights freed in the count fit when the data demand it
(analysis.eds.line_weights), on spectra drawn from our own line profiles with Pt M's secondary
lines at the weights the real tilt series measures (docs/eds.md, Session 38)."""

import numpy as np
import pytest

from insitu_tem.analysis.eds.families import all_families, gaussian_counts
from insitu_tem.analysis.eds.fit import fit
from insitu_tem.analysis.eds.fit_setup import FitSetup
from insitu_tem.analysis.eds.identify import identify_lines
from insitu_tem.analysis.eds.lines import fwhm_ev

MEASURED = {"Pt_Mb": 0.40, "Pt_Mg": 0.04, "Pt_M2N4": 0.008}
AMOUNTS = {"Pt M": 200000.0, "Pt L": 140000.0, "Si K": 60000.0, "Fe K": 80000.0, "Cu K": 60000.0}


def spectrum(weights: dict, *, seed: int = 0, step: float = 10.0):
    """Poisson counts, channel centres (eV) and the true continuum of a Kramers continuum with
    the families of :data:`AMOUNTS` (main-line counts), the lines named in ``weights`` at those
    weights relative to their main line instead of the database's."""
    energies = np.arange(0.0, 20480.0, step)
    kev = np.maximum(energies, 50.0) / 1000
    continuum = 2.0 * (200 - kev) / kev * np.exp(-((0.35 / kev) ** 3))
    expected = continuum.copy()
    families = {f.name: f for f in all_families()}
    for name, amount in AMOUNTS.items():
        family = families[name]
        for line, energy, weight in zip(family.lines, family.energies_ev, family.weights):
            width = fwhm_ev(energy, resolution_mn_ka_ev=130.0)
            drawn = gaussian_counts(energies, energy, width, step_ev=step)
            expected = expected + amount * weights.get(line, weight) * drawn
    counts = np.random.default_rng(seed).poisson(expected).astype(float)
    return counts, energies, continuum


def freed_lines(weights: dict, seed: int) -> int:
    """How many lines the count fit frees on the spectrum of ``weights``, fitted with the
    families of :data:`AMOUNTS` at the true resolution."""
    counts, energies, _ = spectrum(weights, seed=seed)
    families = {f.name: f for f in all_families()}
    candidates = tuple(families[name] for name in AMOUNTS)
    in_range = (energies >= 200.0) & (energies <= 20000.0)
    setup = FitSetup(counts, energies, in_range, candidates, (), 200000.0, 4.0)
    problem, _ = setup.problem(130.0, candidates=candidates)
    return fit(problem, tuple(range(len(candidates))), free_lines=True).freed.shape[1]


@pytest.mark.parametrize("seed", [0, 1])
def test_pt_m_lines_weaker_than_the_database_neither_lift_the_continuum_nor_widen_the_1_sigma(seed):
    counts, energies, truth = spectrum(MEASURED, seed=seed)
    result = identify_lines(counts, energies, beam_energy_kv=200)
    window = (energies >= 1820.0) & (energies < 1940.0)
    assert result.continuum[window].sum() / truth[window].sum() < 1.15
    found = {f.element: f for f in result.findings}
    assert abs(found["Pt"].net_counts - AMOUNTS["Pt L"]) < 3 * found["Pt"].sigma
    assert abs(found["Fe"].net_counts - AMOUNTS["Fe K"]) < 3 * found["Fe"].sigma
    assert found["Fe"].sigma < 2 * np.sqrt(AMOUNTS["Fe K"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_m_family_at_the_database_weights_keeps_them_and_one_that_is_not_frees_its_lines(seed):
    assert freed_lines({}, seed) == 0
    assert freed_lines(MEASURED, seed) > 0
