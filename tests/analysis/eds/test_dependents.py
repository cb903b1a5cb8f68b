"""Escape and pile-up peaks are the lines' dependents, not elements (analysis.eds.dependents):
exspy's model has neither, so these spectra add them with numbers of their own — a Si escape
peak 1.740 keV below Cu Kα holding 0.2 % of it (about Reed and Ware's value for a Si detector),
Fe's pile-up (the self-convolution of its lines, 0.2 % of their counts: the Kα + Kα peak at
12.81 keV beside Kr Kα at 12.65 keV)."""

import numpy as np
from scipy.special import erf

from insitu_tem.analysis.eds.dependents import escape_fraction, pile_up
from insitu_tem.analysis.eds.identify import identify_lines
from tests.analysis.eds.test_identify import exspy_spectrum

LANTHANIDES = set("La Ce Pr Nd Sm Eu Gd Tb Dy Ho Er Tm Yb Lu".split())


def gaussian(energies, centre, fwhm, step):
    """Counts per channel of a unit Gaussian line, eV."""
    scale = fwhm / np.sqrt(8 * np.log(2)) * np.sqrt(2)
    return 0.5 * (
        erf((energies + step / 2 - centre) / scale) - erf((energies - step / 2 - centre) / scale)
    )


def test_the_escape_fraction_of_a_si_detector_falls_with_energy():
    assert escape_fraction(1700.0) == 0.0
    assert 0.002 < escape_fraction(2300.0) < 0.02
    assert 0.0005 < escape_fraction(8047.8) < 0.003 < escape_fraction(4510.0)


def test_the_pile_up_of_one_line_lies_at_twice_its_energy():
    energies = 10.0 * np.arange(2048)
    line = 1000 * gaussian(energies, 6400.0, 150.0, 10.0)
    summed = pile_up(line, energies)
    assert abs(energies[np.argmax(summed)] - 12800.0) <= 10
    assert np.isclose(summed.sum(), line.sum(), rtol=0.01)


def test_a_strong_cu_line_and_its_escape_peak_invent_no_element():
    counts, energies = exspy_spectrum({"Cu": 1e6, "Si": 3000}, seed=1)
    width = np.sqrt(130.0**2 + 2.5 * (6308.1 - 5898.8))
    escape = 1e6 * 0.002 * gaussian(energies, 8047.8 - 1739.7, width, 10.0)
    counts = counts + np.random.default_rng(5).poisson(escape)
    result = identify_lines(counts, energies, beam_energy_kv=200)
    found = {f.element for f in result.findings if f.status in ("present", "ambiguous")}
    assert {"Cu", "Si"} <= found <= {"Cu", "Si", "C"}
    assert 0.5 < result.escape_scale < 1.5


def test_a_fe_pile_up_peak_is_not_an_element():
    """Every two of Fe's photons pile up, Kα + Kα at 12.81 keV (Kr Kα 12.65 keV) as Kα + Lα at
    7.11 keV: the sum spectrum is the lines' self-convolution (np.convolve of exspy's lines),
    0.2 % of their counts. Since session 32 Fe's L family (exspy's model gives it Kα's
    counts) is fitted with its K family, so the model holds its sums too; a pile-up of Kα + Kα
    alone, as this spectrum had before, is not what a detector records."""
    from exspy._misc.eds.utils import xray_lines_model

    counts, energies = exspy_spectrum({"Fe": 1e6}, top_kev=20.48, step_kev=0.02, seed=2)
    axis = {"name": "E", "scale": 0.02, "units": "keV", "offset": 0.0, "size": energies.size}
    lines = 1e6 * np.asarray(xray_lines_model(["Fe"], energy_axis=axis).data, float)
    summed = np.convolve(lines, lines)[: energies.size] / lines.sum()
    counts = counts + np.random.default_rng(6).poisson(0.002 * summed)
    result = identify_lines(counts, energies, beam_energy_kv=200)
    found = {f.element for f in result.findings if f.status in ("present", "ambiguous")}
    assert found <= {"Fe", "C"}
    assert 0.001 < result.pile_up < 0.003
