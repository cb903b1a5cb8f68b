"""The broad ring of :mod:`.lattice_ring` as the user reads it."""

from __future__ import annotations

import math

from insitu_tem.analysis.hrtem.lattice_ring import LatticeRing
from insitu_tem.core.uncertainty_text import value_with_sigma


def ring_spacing_text(ring: LatticeRing, *, calibrated: bool) -> str:
    """The ring's spacing with its 1σ as the user reads it (σ to two significant digits, GUM
    7.2.6): ``"3.65 ± 0.31 Å"``, or in px when the image has no pixel size."""
    scale, unit = (10.0, "Å") if calibrated else (1.0, "px")
    return f"{value_with_sigma(scale * ring.d_nm, scale * ring.sigma_d_nm)} {unit}"


def defocus_text(ring: LatticeRing) -> str:
    """The defocus fitted to the Thon rings as the user reads it after the ring's sentence
    (``"; Thon rings: defocus 150 ± 1.2 nm (underfocus)"``), empty when none was fitted."""
    if math.isnan(ring.defocus_nm):
        return ""
    focus = "underfocus" if ring.defocus_nm > 0 else "overfocus"
    value = value_with_sigma(ring.defocus_nm, ring.sigma_defocus_nm)
    return f"; Thon rings: defocus {value} nm ({focus}), the transfer divided out"
