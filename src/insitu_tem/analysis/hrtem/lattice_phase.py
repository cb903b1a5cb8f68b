"""Whether the best phase match explains the lattice: a phase is presented as the image's only
when it explains the spacings of the lattice's basis spots (order |h| + |k| = 1), of which every
other spot sent to the matcher is a combination. A phase that explains only higher orders —
3 of 8 spacings, none of them the basis — fits by coincidence of a rich reflection table, not
the lattice; the match is then withdrawn with the reason."""

from __future__ import annotations

import dataclasses

import numpy as np

from insitu_tem.analysis.crystal.phases import MatchResult
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit


def basis_checked(
    matches: MatchResult, fit: LatticeFit, chosen: tuple[int, ...], d_A: np.ndarray
) -> MatchResult:
    """``matches`` unchanged when its best candidate explains every basis spot among ``chosen``
    (or none of them is a basis spot); otherwise not ok, with the reason.

    Parameters
    ----------
    matches : MatchResult
        The matcher's answer for the spacings ``d_A`` of the spots ``chosen``.
    fit : LatticeFit
        The refined lattice whose ``indices`` give each spot's (h, k).
    chosen : tuple of int
        Spot indices sent to the matcher, in the order of ``d_A``.
    d_A : ndarray
        Their spacings, Å.

    Returns
    -------
    MatchResult
    """
    if not matches.ok or not fit.ok:
        return matches
    basis = [
        n
        for n, i in enumerate(chosen)
        if i < len(fit.indices) and abs(fit.indices[i][0]) + abs(fit.indices[i][1]) == 1
    ]
    best = matches.best
    missed = [n for n in basis if best.hkl[n] is None]
    if not missed:
        return matches
    listed = ", ".join(f"{d_A[n]:.3f}" for n in missed)
    return dataclasses.replace(
        matches,
        ok=False,
        ambiguous=False,
        note="",
        reason=(
            f"no phase explains the spots: the best, {best.phase}, explains {best.n_matched} of "
            f"{len(chosen)} spacings but not the lattice's basis d = {listed} Å; check the "
            "calibration or load the phase's CIF"
        ),
    )
