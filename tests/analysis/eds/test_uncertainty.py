"""The 1σ of strong lines is not inflated by their own counts: the continuum's local error is
measured on the spectrum less its fitted lines (analysis.eds.continuum.line_free_error)."""

import numpy as np

from insitu_tem.analysis.eds.continuum import NARROW_CLIP_FWHM, line_free_error, snip_continuum
from insitu_tem.analysis.eds.identify import identify_lines
from tests.analysis.eds.test_identify import exspy_spectrum

TRUTH = {"Fe": 100000, "Si": 50000, "Cu": 20000}


def test_strong_lines_get_a_1_sigma_near_their_counting_error():
    counts, energies = exspy_spectrum(TRUTH, seed=0)
    found = {f.element: f for f in identify_lines(counts, energies, beam_energy_kv=200).findings}
    for element, truth in TRUTH.items():
        finding = found[element]
        # main: Si 49 943 ± 2 796 (12.5 √N; the error is 57), Fe ± 1 010 (3.2 √N)
        assert finding.sigma < 2.0 * np.sqrt(truth)
        assert abs(finding.net_counts - truth) < 3 * finding.sigma


def test_the_line_free_error_does_not_follow_a_strong_line():
    energies = 10.0 * np.arange(1024)
    continuum = 50.0 * np.exp(-energies / 4000.0)
    line = 20000.0 * 10 / (60 * np.sqrt(2 * np.pi)) * np.exp(-0.5 * ((energies - 6404) / 60) ** 2)
    counts = continuum + line
    on_counts = np.abs(
        snip_continuum(counts, energies, clip_fwhm=NARROW_CLIP_FWHM)
        - snip_continuum(counts, energies)
    )
    free = line_free_error(counts, line, energies)
    near = np.abs(energies - 6404) < 100
    assert on_counts[near].sum() > 100 and free[near].sum() < 1
