"""The line shape's misfit carried into each family's counts as a systematic error.

The line profiles are Gaussians (:mod:`.families`); a detector's lines are not quite
(incomplete charge collection leaves part of each line in a tail and a shelf below it): the
counts the Gaussian misses go to the continuum or stay in the residuals, and a family's net
counts are off by up to that part. Where the misfit shows in a family's window — the channels
where its lines stand above the noise (their counts above √model, as for the profile error δ
of :mod:`.fit`) — its size is measured there: the family's own relative profile error
``δ_F² = Σ (r² − m) / Σ ℓ²`` over the window (``r`` the residual, ``m`` the model, ``ℓ`` the
family's fitted lines), taken as coherent over the family's lines (a shape off by ``δ_F``
moves all of its counts together), variance ``(δ_F a_F)²``. It is counted only when the
window's ``χ² = Σ r² / m`` is as improbable under χ² with as many degrees of freedom as
channels as a line the identification reports is under the noise (the tail probability of its
threshold, :mod:`.identify`: a false alarm of 0.01 per spectrum over the families tested): a
window that fits to the noise keeps its 1σ, and no level of its own is chosen. A tail long
beside the line's width (β of a few FWHM) is smooth enough for the continuum to take without a
residual; its counts stay outside the 1σ (docs/eds.md, Limits).

References
----------
.. [1] P. R. Bevington and D. K. Robinson, *Data Reduction and Error Analysis for the Physical
   Sciences*, 3rd ed., McGraw-Hill (2003), ch. 11 (χ² as a test of the fit).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.stats import chi2, norm

from insitu_tem.analysis.eds.fit import FamilyFit
from insitu_tem.analysis.eds.problem import Problem


def shape_variance(problem: Problem, model: FamilyFit, *, threshold: float) -> np.ndarray:
    """(families of ``model``,) variance of each family's counts from its lines' shape misfit,
    counts² (module docstring), the misfit tested at the significance ``threshold`` (σ)."""
    level = float(norm.sf(threshold))
    model_counts = np.clip(model.fitted, 1.0, None)
    residual = problem.counts - model.fitted
    variance = np.zeros(len(model.columns))
    for position, column in enumerate(model.columns):
        lines = problem.profiles[:, column] * model.counts[position]
        window = lines > np.sqrt(model_counts)
        if not np.any(window):
            continue
        squares, expected = residual[window] ** 2, model_counts[window]
        if chi2.sf(float(np.sum(squares / expected)), int(window.sum())) >= level:
            continue
        excess = float(np.sum(squares - expected))
        variance[position] = max(excess, 0.0) / float(np.sum(lines[window] ** 2))
    return variance * model.counts**2


def with_shape_error(problem: Problem, model: FamilyFit, *, threshold: float) -> FamilyFit:
    """``model`` with :func:`shape_variance` (at ``threshold``, σ) added to its counts'
    covariance."""
    if not model.columns:
        return model
    extra = np.diag(shape_variance(problem, model, threshold=threshold))
    return replace(model, covariance=model.covariance + extra)
