"""The centre of one pattern with its 1σ: the centre the radial profile and the rings are taken
about.

:func:`insitu_tem.analysis.diffraction.centre.find_centre` gives the direct beam, or the centre
of inversion symmetry behind a beam stop. A direct-beam disk is then refined by fitting its edge
(:func:`insitu_tem.analysis.diffraction.disk_model.refine_beam_centre`), whose 1σ comes from
the fit; a point-like beam by its iterated centre of mass with the Poisson 1σ
(:func:`insitu_tem.analysis.diffraction.disk_fit.spot_centroid`). For the symmetry centre the
1σ is a delete-a-group jackknife over angular sectors: the centre is found again with each of :data:`SECTORS` pairs of opposite
sectors about it left out, and the spread of those centres gives the 1σ (Poisson noise and an
uneven, textured pattern alike).

References
----------
Efron, B. & Stein, C. (1981). The jackknife estimate of variance. Ann. Stat. 9, 586–596.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from insitu_tem.analysis.diffraction.centre import BeamCentre, find_centre, symmetry_centre
from insitu_tem.analysis.diffraction.disk_fit import MIN_DISK_RADIUS_PX, spot_centroid
from insitu_tem.analysis.diffraction.disk_model import refine_beam_centre

SECTORS = 8
"""Pairs of opposite angular sectors the jackknife leaves out in turn."""


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
    if not found.ok or found.method == "symmetry":
        return replace(found, sigma_px=symmetry_sigma(data, found.centre_rc, mask=mask))
    beam, _ = refine_beam_centre(data, found.centre_rc, radius_px=found.radius_px)
    if beam.ok:
        return BeamCentre(True, beam.centre_rc, beam.radius_px, "edge", sigma_px=beam.sigma_px)
    background = float(np.median(data))
    spot = spot_centroid(
        data - background,
        data,
        found.centre_rc,
        radius_px=max(found.radius_px, MIN_DISK_RADIUS_PX) + 1.0,
        background_var=float(np.var(data[data <= background])),
    )
    if not spot.ok:
        return replace(found, sigma_px=np.nan)
    return replace(found, centre_rc=spot.centre_rc, sigma_px=spot.sigma_px)


def symmetry_sigma(pattern, centre_rc, *, mask=None) -> float:
    """Delete-a-group jackknife 1σ per coordinate (px) of the symmetry centre ``centre_rc``
    (row, col px) of ``pattern`` (``mask``: True for pixels to ignore)."""
    data = np.asarray(pattern, dtype=np.float64)
    rows, cols = np.indices(data.shape)
    angle = np.arctan2(rows - centre_rc[0], cols - centre_rc[1]) % np.pi
    sector = np.minimum((angle / np.pi * SECTORS).astype(int), SECTORS - 1)
    hidden = np.zeros(data.shape, bool) if mask is None else np.asarray(mask, bool)
    centres = np.array(
        [symmetry_centre(data, mask=hidden | (sector == k)).centre_rc for k in range(SECTORS)]
    )
    spread = (SECTORS - 1) / SECTORS * np.sum((centres - centres.mean(axis=0)) ** 2, axis=0)
    return float(np.sqrt(np.mean(spread)))
