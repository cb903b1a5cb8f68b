"""The line shape's misfit carried into the counts' 1σ (analysis.eds.line_shape), on spectra
drawn from our own Gaussian lines with and without a low-energy tail (incomplete charge
collection: a fraction of each line's counts moved below it, falling exponentially over one
detector FWHM)."""

import numpy as np
import pytest

from insitu_tem.analysis.eds.families import all_families, gaussian_counts
from insitu_tem.analysis.eds.fit import fit
from insitu_tem.analysis.eds.fit_setup import FitSetup
from insitu_tem.analysis.eds.identify import identify_lines
from insitu_tem.analysis.eds.line_shape import shape_variance
from insitu_tem.analysis.eds.lines import fwhm_ev

AMOUNTS = {"Si K": 60000.0, "Fe K": 80000.0, "Cu K": 40000.0}


def expected_counts(tail: float, *, step: float = 10.0):
    """Channel centres (eV) and expected counts of a Kramers continuum with the families of
    :data:`AMOUNTS` (main-line counts), each line's counts less ``tail`` of them, which fall
    exponentially below the line over one FWHM."""
    energies = np.arange(0.0, 20480.0, step)
    kev = np.maximum(energies, 50.0) / 1000
    expected = 2.0 * (200 - kev) / kev * np.exp(-((0.35 / kev) ** 3))
    families = {f.name: f for f in all_families()}
    for name, amount in AMOUNTS.items():
        family = families[name]
        for energy, weight in zip(family.energies_ev, family.weights):
            width = fwhm_ev(energy, resolution_mn_ka_ev=130.0)
            line = amount * weight * gaussian_counts(energies, energy, width, step_ev=step)
            below = np.clip(energy - energies, 0.0, None)
            shape = np.where(energies <= energy, np.exp(-below / width), 0.0)
            expected = expected + (1 - tail) * line + tail * amount * weight * shape / shape.sum()
    return energies, expected


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_tailed_line_gets_the_misfit_its_window_shows_in_its_1_sigma(seed):
    energies, expected = expected_counts(0.08)
    counts = np.random.default_rng(seed).poisson(expected).astype(float)
    found = {f.element: f for f in identify_lines(counts, energies, beam_energy_kv=200).findings}
    for element, amount in (("Si", AMOUNTS["Si K"]), ("Cu", AMOUNTS["Cu K"])):
        assert abs(found[element].net_counts - amount) < 3 * found[element].sigma


def test_a_window_that_fits_keeps_its_1_sigma():
    energies, expected = expected_counts(0.0)
    families = {f.name: f for f in all_families()}
    candidates = tuple(families[name] for name in AMOUNTS)
    in_range = (energies >= 200.0) & (energies <= 20000.0)
    setup = FitSetup(expected, energies, in_range, candidates, (), 200000.0, 4.0)
    problem, _ = setup.problem(130.0, candidates=candidates)
    model = fit(problem, tuple(range(len(candidates))))
    assert np.all(shape_variance(problem, model, threshold=4.0) == 0.0)
