"""The centre of one pattern with its 1σ: the centre the radial profile and the rings are taken
about.

:func:`insitu_tem.analysis.diffraction.centre.find_centre` gives the direct beam, or the centre
of inversion symmetry behind a beam stop. A direct-beam disk is then refined by fitting its edge
(:func:`insitu_tem.analysis.diffraction.disk_model.refine_beam_centre`), whose 1σ comes from
the fit; a point-like beam (or one without a flat top) keeps its thresholded centre of mass,
with the counts' Poisson noise propagated to it (:func:`com_sigma`). The symmetry centre's
variance (:func:`symmetry_sigma`) is the counting noise, a parametric bootstrap (the pattern drawn
again :data:`BOOTSTRAP` times with Poisson counts, the centre found on each), plus the pull of
the texture, the mask and the pixel sampling: the spread of the centres found with each of
:data:`SECTORS` pairs of opposite angular sectors left out, less the share of that spread the
counting noise explains (1/(g − 1) of its variance for g pairs). A delete-a-group jackknife over
the same sectors, which scales that spread up by g − 1 as if it were sampling noise, covered 88 %
of the validation errors behind a beam stop; the bootstrap alone 51 %.

References
----------
Efron, B. & Stein, C. (1981). The jackknife estimate of variance. Ann. Stat. 9, 586–596.
Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap, ch. 6. Chapman & Hall.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from insitu_tem.analysis.diffraction.centre import (
    BeamCentre,
    find_centre,
    parabolic_offset,
    symmetry_centre,
)
from insitu_tem.analysis.diffraction.disk_batches import fit_problems
from insitu_tem.analysis.diffraction.disk_fit import MIN_DISK_RADIUS_PX
from insitu_tem.analysis.diffraction.disk_model import beam_fit, beam_problem, refine_beam_centre

BOOTSTRAP = 12
"""Poisson redraws of a pattern for the 1σ of its symmetry centre."""
SECTORS = 8
"""Pairs of opposite angular sectors left out in turn for the symmetry centre's systematic term."""
NEAR_PX = 2
"""Half-size of the shifts, px, about the centre at which a redrawn pattern's symmetry is
evaluated directly (the whole correlation where its peak lies at the edge of these)."""
MAX_BLUR_PER_RADIUS = 0.5
"""Edge blur (1σ) per radius from which a beam has no edge to fit."""


def pattern_centre(pattern, *, mask=None) -> BeamCentre:
    """Centre of a pattern (direct beam, else symmetry centre) and its 1σ per coordinate.

    Parameters
    ----------
    pattern : array_like
        2-D pattern, counts.
    mask : array_like of bool, optional
        True for pixels to ignore (beam stop, dead pixels).

    Returns
    -------
    BeamCentre
        ``method`` ``"edge"`` (the beam's edge fitted), ``"com"`` or ``"symmetry"``;
        ``sigma_px`` the 1σ of each coordinate, px.
    """
    data = np.asarray(pattern, dtype=np.float64)
    found = find_centre(data, mask=mask)
    if not found.ok:
        return found
    if found.method == "symmetry":
        return replace(found, sigma_px=symmetry_sigma(data, found.centre_rc, mask=mask))
    beam = edge_fitted_beam(data, found.centre_rc, radius_px=found.radius_px)
    if beam is not None:
        return beam
    return replace(found, sigma_px=com_sigma(data, found.centre_rc, radius_px=found.radius_px))


def com_sigma(pattern, centre_rc, *, radius_px: float) -> float:
    """Poisson 1σ per coordinate (px) of the thresholded centre of mass of a beam of
    ``radius_px`` at ``centre_rc``
    (:func:`insitu_tem.analysis.diffraction.centre.direct_beam_centre`): each pixel above
    half-way between the background and the top moves the centre by (r − c) / W per count, W
    the summed excess, with a variance equal to its counts."""
    data = np.asarray(pattern, dtype=np.float64)
    rows, cols = np.indices(data.shape)
    distance = np.hypot(rows - centre_rc[0], cols - centre_rc[1])
    near = distance <= radius_px + 2
    ring = (distance > radius_px + 4) & (distance <= radius_px + 6)
    background = float(np.median(data[ring])) if ring.any() else float(np.median(data))
    level = background + 0.5 * (float(data[near].max()) - background)
    above = near & (data > level)
    excess = float(np.sum(data[above] - level))
    if excess <= 0:
        return float("nan")
    variance = np.clip(data[above], 0, None) * (
        (rows[above] - centre_rc[0]) ** 2 + (cols[above] - centre_rc[1]) ** 2
    )
    return float(np.sqrt(0.5 * variance.sum()) / excess)


def edge_fitted_beam(pattern, centre_rc, *, radius_px: float) -> BeamCentre | None:
    """The direct beam with its edge fitted and the fit's 1σ, or None when there is no edge to
    fit: a point-like beam, a failed fit, or an edge blur (1σ) of half the radius or more, where
    the beam has no flat top left and the disk model no longer describes it (a focused,
    Gaussian-like probe).

    Parameters
    ----------
    pattern : numpy.ndarray
        2-D pattern, counts.
    centre_rc : tuple of float
        Start (row, col), px.
    radius_px : float
        Approximate beam radius, px.
    """
    return _edge_beam(*refine_beam_centre(pattern, centre_rc, radius_px=radius_px))


def _edge_beam(beam, blur: float) -> BeamCentre | None:
    if not beam.ok or not blur < MAX_BLUR_PER_RADIUS * beam.radius_px:
        return None
    return BeamCentre(True, beam.centre_rc, beam.radius_px, "edge", sigma_px=beam.sigma_px)


def edge_fitted_beams(patterns, centres_rc, radii_px, *, threads: int = 1) -> list:
    """:func:`edge_fitted_beam` of each pattern (start, radius), the beams fitted as one batch
    (:func:`~.disk_batches.fit_problems` with ``threads``): the same beams to rounding."""
    fitted = [i for i, radius in enumerate(radii_px) if radius >= MIN_DISK_RADIUS_PX]
    problems = [beam_problem(patterns[i], centres_rc[i], radius_px=radii_px[i]) for i in fitted]
    out: list = [None] * len(radii_px)
    for i, problem, tried in zip(fitted, problems, fit_problems(problems, threads=threads)):
        out[i] = _edge_beam(*beam_fit(problem, tried, radius_px=radii_px[i]))
    return out


def symmetry_sigma(pattern, centre_rc, *, mask=None) -> float:
    """1σ per coordinate (px) of the symmetry centre ``centre_rc`` (row, col px) of ``pattern``
    (``mask``: True for pixels to ignore): counting noise and the sectors' spread (see the
    module)."""
    data = np.asarray(pattern, dtype=np.float64)
    hidden = np.zeros(data.shape, bool) if mask is None else np.asarray(mask, bool)
    rng = np.random.default_rng(0)
    counts = np.clip(np.where(hidden, 0.0, data), 0.0, None)
    redrawn = [
        _symmetry_near(rng.poisson(counts).astype(float), hidden, centre_rc)
        for _ in range(BOOTSTRAP)
    ]
    noise = float(np.mean(np.var(redrawn, axis=0, ddof=1)))
    rows, cols = np.indices(data.shape)
    angle = np.arctan2(rows - centre_rc[0], cols - centre_rc[1]) % np.pi
    sector = np.minimum((angle / np.pi * SECTORS).astype(int), SECTORS - 1)
    left_out = [_symmetry_near(data, hidden | (sector == k), centre_rc) for k in range(SECTORS)]
    spread = float(np.mean(np.var(left_out, axis=0)))
    return float(np.sqrt(noise * (1 - 1 / (SECTORS - 1)) + spread))


def _symmetry_near(pattern: np.ndarray, hidden: np.ndarray, centre_rc) -> tuple[float, float]:
    """:func:`insitu_tem.analysis.diffraction.centre.symmetry_centre` of ``pattern`` (``hidden``
    pixels ignored) from the pattern's correlation with itself turned by 180° evaluated only at
    the ±:data:`NEAR_PX` shifts about ``centre_rc`` (dot products instead of the whole
    correlation by FFT; the whole one where the peak lies at the edge of these or beside a shift
    past the pattern)."""
    data = pattern - np.median(pattern)
    data[hidden] = 0.0
    n_rows, n_cols = data.shape
    base = np.round(2 * np.asarray(centre_rc, dtype=float)).astype(int) - NEAR_PX
    size = 2 * NEAR_PX + 1
    surface = np.full((size, size), -np.inf)
    for i in range(size):
        k = base[0] + i
        r0, r1 = max(0, k - n_rows + 1), min(n_rows - 1, k)
        if r1 < r0:
            continue
        rows = data[r0 : r1 + 1]
        turned_rows = data[k - r1 : k - r0 + 1][::-1]
        for j in range(size):
            m = base[1] + j
            c0, c1 = max(0, m - n_cols + 1), min(n_cols - 1, m)
            if c1 >= c0:
                turned = turned_rows[:, m - c1 : m - c0 + 1][:, ::-1]
                surface[i, j] = np.einsum("ij,ij->", rows[:, c0 : c1 + 1], turned)
    r, c = np.unravel_index(int(np.argmax(surface)), surface.shape)
    if (
        not (0 < r < size - 1 and 0 < c < size - 1)
        or np.isinf(surface[r - 1 : r + 2, c - 1 : c + 2]).any()
    ):
        return symmetry_centre(pattern, mask=hidden).centre_rc
    dr = parabolic_offset(surface[r - 1, c], surface[r, c], surface[r + 1, c])
    dc = parabolic_offset(surface[r, c - 1], surface[r, c], surface[r, c + 1])
    return ((base[0] + r + dr) / 2.0, (base[1] + c + dc) / 2.0)
