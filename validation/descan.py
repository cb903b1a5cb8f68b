"""NBD descan validation: the 1σ of the fitted direct-beam centre along a scan (`nbd` →
`centre_sigma_px`) on randomised descans with known truth.

End to end: scans of abTEM nanobeam patterns (:mod:`validation.descan_scans`: two grains with a
front between them, a quadratic descan, 1e4–1e7 electrons per pattern) go through what `nbd`
runs: every pattern's centre made one beam track
(:func:`insitu_tem.analysis.diffraction.beam_track.beam_along_scan`) and the descan fit with the
centres' 1σ (:func:`insitu_tem.analysis.diffraction.descan.descan_of_scan`). One scan per
committed abTEM pattern (the fast subset: the first two). The rows per convergence, dose and disk
overlap (2 × disk radius / shortest g; ≥ 1: the disks overlap) hold the coverage to 55–80 %.
Scans whose centres were too few for the fit, or whose descan says it cannot be trusted
(``ok`` False), count as not measured. Two counts: scans whose fitted centres lie more than
:data:`LOCK_ON_PX` from the truth somewhere and are not flagged (target 0: a diffracted disk
taken for the beam), and scans flagged although every fitted centre is right.

Fit alone: the generator draws a scan of 10–120 positions, a smooth descan (quadratic in position, up to
±15 px over the scan) and measured centres scattered about it by 0.02–1 px (white), with a few
gross misses (2 % chance, 2–10 px) that the polynomial fit must absorb. Truth: the noise-free
descan at every position. Only the propagation of the centres' scatter through the fit is
checked here; the centre finder's own accuracy is the `nbd` family's.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.diffraction.beam_track import beam_along_scan
from insitu_tem.analysis.diffraction.descan import descan_of_scan, fit_descan
from validation.descan_scans import make_scan
from validation.hrtem import corpus as hrtem_corpus
from validation.stats import Measurement, subgroup_measurements

FIRST_SEED = 3300
SCAN_SEED = 7000
LOCK_ON_PX = 3.0
"""Error of a fitted centre from which it is counted as another disk taken for the beam, px."""
FAST = 100
FULL = 1000


def corpus(first_seed: int, scans: int) -> Measurement:
    """Fitted-centre errors against their 1σ at every fifth position of ``scans`` scans."""
    errors, sigmas = [], []
    for seed in range(first_seed, first_seed + scans):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(10, 121))
        position = np.arange(n) * rng.uniform(0.5, 20)
        u = position / position[-1]
        coefficients = rng.uniform(-15, 15, (3, 2)) * [[8.0], [1.0], [1.0]] + [[128.0], [0], [0]]
        truth = coefficients[0] + np.outer(u, coefficients[1]) + np.outer(u**2, coefficients[2])
        scatter = rng.uniform(0.02, 1.0)
        measured = truth + rng.normal(0, scatter, truth.shape)
        gross = rng.random(n) < 0.02
        measured[gross] += rng.uniform(2, 10, (int(gross.sum()), 2)) * rng.choice([-1, 1], 2)
        fit = fit_descan(position, measured, degree=2)
        every = slice(int(rng.integers(0, 5)), None, 5)
        errors.append((fit.fitted_rc - truth)[every].ravel())
        sigmas.append(fit.sigma_rc[every].ravel())
    return Measurement(
        "descan",
        "NBD descan fit alone, centres drawn about a quadratic (`nbd` → `centre_sigma_px`)",
        np.concatenate(errors),
        np.concatenate(sigmas),
        "px",
    )


def scan_errors(cases, first_seed: int):
    """(errors, sigmas, covariates, centres not fitted, (unflagged lock-ons, flagged right
    scans)) of the fitted centres on one generated scan per abTEM case."""
    errors, sigmas, covariates, missed = [], [], {"alpha": [], "electrons": [], "overlap": []}, 0
    locked = flagged_right = 0
    for k, (pattern, truth) in enumerate(cases):
        scan = make_scan(pattern, truth, first_seed + k)
        found = beam_along_scan(scan.patterns)
        if found.ok.sum() < 3:
            missed += len(scan.position)
            continue
        fit = descan_of_scan(scan.position, found)
        wrong = bool(np.any(np.hypot(*(fit.fitted_rc - scan.truth_rc).T) > LOCK_ON_PX))
        locked += wrong and fit.ok
        flagged_right += not wrong and not fit.ok
        if not fit.ok:
            missed += len(scan.position)
            continue
        errors.append((fit.fitted_rc - scan.truth_rc).ravel())
        sigmas.append(fit.sigma_rc.ravel())
        for key, value in zip(covariates, (scan.alpha_mrad, scan.electrons, scan.overlap)):
            covariates[key].append(np.full(2 * len(scan.position), value))
    joined = {key: np.concatenate(value) for key, value in covariates.items()}
    return np.concatenate(errors), np.concatenate(sigmas), joined, missed, (locked, flagged_right)


GROUPS = (
    ("alpha", ((0.5, 1.0, "α 0.5–1 mrad"), (1.0, 1.5, "α 1–1.5 mrad"), (1.5, 2.1, "α 1.5–2 mrad"))),
    (
        "electrons",
        (
            (1e4, 1e5, "1e4–1e5 e/pattern"),
            (1e5, 1e6, "1e5–1e6 e/pattern"),
            (1e6, 1.1e7, "1e6–1e7 e/pattern"),
        ),
    ),
    (
        "overlap",
        (
            (0.0, 0.5, "disks apart (2R/g < 0.5)"),
            (0.5, 1.0, "disks close (2R/g 0.5–1)"),
            (1.0, np.inf, "disks overlapping (2R/g ≥ 1)"),
        ),
    ),
)


def abtem_scans(*, fast: bool) -> list[Measurement]:
    """The end-to-end row and (full run) one row per convergence, dose and overlap range."""
    _, cases = hrtem_corpus(fast=fast)
    picked = cases[:2] if fast else cases
    errors, sigmas, covariates, missed, (locked, flagged) = scan_errors(picked, SCAN_SEED)
    name = "NBD fitted centre along abTEM scans, end to end (`nbd` → `centre_sigma_px`)"
    out = [
        Measurement(
            "descan", name, errors, sigmas, "px", n_not_measured=missed, covariates=covariates
        ),
        _count(
            f"abTEM scans with a fitted centre > {LOCK_ON_PX:g} px off, not flagged "
            f"(of {len(picked)})",
            locked,
            target=True,
        ),
        _count(f"abTEM scans flagged with every fitted centre right (of {len(picked)})", flagged),
    ]
    if fast:
        return out
    return out + subgroup_measurements(
        "descan", name, errors, sigmas, "px", covariates=covariates, groups=GROUPS
    )


def _count(name: str, count: int, *, target: bool = False) -> Measurement:
    limit = 0.0 if target else None
    return Measurement(
        "descan", name, np.array([float(count)]), None, "", limit, limit, coverage_range=None
    )


def run(*, fast: bool) -> list[Measurement]:
    """Fitted-centre coverage on ``FAST`` or ``FULL`` random descans and on abTEM scans."""
    return [corpus(FIRST_SEED, FAST if fast else FULL), *abtem_scans(fast=fast)]
