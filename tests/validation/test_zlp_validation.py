"""Fast subset of the ZLP validation (validation.zlp): the stated 1σ of the ZLP centre and FWHM
covers a sane fraction of the errors on random low-loss scans, in any units, also where a
detector's blur correlates neighbouring channels' noise; the log-ratio t/λ
of physics low-loss spectra lies within a few hundredths of the truth and its 1σ covers a
sane fraction of the errors; so does the plasmon energy (the low-loss maximum from the ZLP)."""

import numpy as np

from insitu_tem.analysis.eels.zlp import fit_zlp
from validation import zlp
from validation.stats import summarise


def test_zlp_sigmas_cover_a_sane_fraction_of_the_errors():
    centre, fwhm, point_centre, point_fwhm, blur_centre, blur_fwhm, thickness, plasmon = (
        summarise(m) for m in zlp.run(fast=True)
    )
    assert centre.n >= 150 and 0.6 <= centre.coverage_1sigma <= 0.8, centre
    assert fwhm.n >= 150 and 0.55 <= fwhm.coverage_1sigma <= 0.85, fwhm
    assert centre.coverage_2sigma >= 0.9 and fwhm.coverage_2sigma >= 0.9
    assert point_fwhm.n >= 60 and 0.55 <= point_fwhm.coverage_1sigma <= 0.85, point_fwhm
    assert point_centre.coverage_2sigma >= 0.9 and point_fwhm.coverage_2sigma >= 0.9
    assert blur_centre.n >= 150 and 0.5 <= blur_centre.coverage_1sigma <= 0.85, blur_centre
    assert 0.5 <= blur_fwhm.coverage_1sigma <= 0.85, blur_fwhm
    assert blur_centre.coverage_2sigma >= 0.85 and blur_fwhm.coverage_2sigma >= 0.85
    assert thickness.n == zlp.THICKNESS_FAST * zlp.THICKNESS_SPECTRA and thickness.median < 0.03
    assert 0.5 <= thickness.coverage_1sigma <= 0.85 and thickness.coverage_2sigma >= 0.75
    assert plasmon.n == zlp.THICKNESS_FAST * zlp.THICKNESS_SPECTRA and plasmon.median < 0.05
    assert 0.5 <= plasmon.coverage_1sigma <= 0.85 and plasmon.coverage_2sigma >= 0.8


def test_zlp_sigma_does_not_depend_on_the_units_of_the_counts():
    spectra, axis, _, _, _ = zlp.make_scan(zlp.FIRST_SEED)
    counts, scaled = fit_zlp(spectra, axis), fit_zlp(spectra * 250.0, axis)
    np.testing.assert_allclose(scaled.position_sigma_eV, counts.position_sigma_eV, rtol=1e-6)
    np.testing.assert_allclose(scaled.fwhm_sigma_eV, counts.fwhm_sigma_eV, rtol=1e-6)
