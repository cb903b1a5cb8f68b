"""A scan's fitted beam centres have a 1σ only when the descan fit is trusted: a flagged fit
(centres that cannot be trusted) reports NaN, as the validation counts it as not measured."""

from dataclasses import replace

import numpy as np

from insitu_tem.analysis.diffraction.descan import fit_descan
from insitu_tem.workflows.nbd import centre_sigma


def test_a_flagged_descan_has_no_centre_sigma():
    position = np.arange(12.0)
    centres = np.stack([60 + 0.01 * position, 64 - 0.02 * position], axis=1)
    centres += np.random.default_rng(0).normal(0, 0.05, centres.shape)
    fit = fit_descan(position, centres, degree=2, sigma_px=np.full(12, 0.05))
    assert fit.ok and np.all(centre_sigma(fit) > 0)
    flagged = replace(fit, ok=False, reason="ambiguous direct beam")
    assert centre_sigma(flagged).shape == (12, 2) and np.isnan(centre_sigma(flagged)).all()
