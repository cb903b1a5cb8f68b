"""Checks of a pattern's centre against evidence independent of the brightest beam.

The direct beam is found as the brightest disk near the pattern's centre of inversion symmetry
(:func:`insitu_tem.analysis.diffraction.centre.find_centre`). In a thick crystal a diffracted
disk can outshine the direct beam, and the intensity-weighted symmetry then centres on it: each
disk's correlation with itself is counted once per disk at twice its position, so the brightest
disk dominates. The symmetry centre of log(1 + counts), where every disk weighs about the same,
is decided by the disk positions. On the abTEM validation corpus the two disagree by one or
more reciprocal-lattice vectors exactly where the centre is wrong, and in a few per cent of the
patterns where it is right; a disagreement is therefore reported as an ambiguous centre
(``ok`` False) rather than resolved. A centre taken from the symmetry alone (no direct beam found
there) of a pattern with diffracted disks can lie midway between two disks and is reported the
same way.

References
----------
Friedel, G. (1913). Sur les symétries cristallines que peut révéler la diffraction des rayons
Röntgen. C. R. Acad. Sci. Paris 157, 1533–1536.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from insitu_tem.analysis.diffraction.centre import BeamCentre, symmetry_centre

MIN_DISAGREEMENT_PX = 2.0


def position_symmetry_centre(pattern) -> tuple[float, float]:
    """Centre of inversion symmetry of log(1 + counts), (row, col) px (±0.5 px)."""
    data = np.asarray(pattern, dtype=np.float64)
    return symmetry_centre(np.log1p(data - data.min())).centre_rc


def check_beam_against_symmetry(pattern, centre: BeamCentre, *, radius_px: float) -> BeamCentre:
    """``centre``, or ``ok`` False when the disks' symmetry centre lies more than a disk radius
    (at least :data:`MIN_DISAGREEMENT_PX`) from the direct beam found.

    Parameters
    ----------
    pattern : array_like
        2-D pattern, counts.
    centre : BeamCentre
        Found direct-beam centre (a centre from the symmetry alone, or one already not ok, is
        returned unchanged).
    radius_px : float
        Direct-beam radius, px.
    """
    if not centre.ok or centre.method in ("symmetry", "given"):
        return centre
    symmetric = position_symmetry_centre(pattern)
    if np.hypot(*np.subtract(centre.centre_rc, symmetric)) <= max(MIN_DISAGREEMENT_PX, radius_px):
        return centre
    found = ", ".join(f"{v:.1f}" for v in centre.centre_rc)
    at = ", ".join(f"{v:.1f}" for v in symmetric)
    return replace(
        centre,
        ok=False,
        method="symmetry-check",
        reason=f"ambiguous centre: the brightest beam ({found}) is not the centre ({at}) about "
        "which the disk positions are symmetric (a diffracted disk can outshine the direct "
        "beam of a thick crystal); give the centre",
    )


def check_symmetry_centre_with_disks(
    centre: BeamCentre, n_spots: int, *, from_symmetry: bool
) -> BeamCentre:
    """``centre``, or ``ok`` False when it comes from the symmetry alone (``from_symmetry``: no
    direct beam found there, whatever refined it since) and diffracted disks were found (the
    symmetry centre of a spot pattern can lie midway between two disks)."""
    if not centre.ok or not from_symmetry or n_spots < 2:
        return centre
    return replace(
        centre,
        ok=False,
        method="symmetry",
        reason="ambiguous centre: no direct beam at the centre of symmetry of a pattern with "
        f"{n_spots} diffracted disks (it can lie midway between two disks); give the centre",
    )
