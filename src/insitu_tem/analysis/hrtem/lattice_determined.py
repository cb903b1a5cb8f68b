"""When a lattice's spacings are not determined: they depend on the analysis window.

:mod:`.lattice_window` refines the indexed spots again under a centred Hann window of 0.6 of the
region and refits the lattice on them. A periodic lattice gives the same spacings under both
windows to within the noise; at large defocus or uncorrected Cs the lens delocalises the fringes of
a small crystal, their complex envelope varies across the region and the spacings move with the
window — and are off by 0.4–2× that change (abTEM corpus, ``validation/hrtem.py``). When a
spacing changes by more than :data:`WINDOW_LIMIT` (half the 1 % the method is validated to for
crystals of 2–10 nm, issue 12), the lattice is reported as not determined (``ok`` False, the
spacings and the change in its reason) instead of as a number the user may take at face value. The
spots are still listed, each with its own 1σ, and the phase is matched on them.

On the corpus this stops, all at Cs 1.2 mm and −430 to −690 Å defocus: tuned Si [001] 4.7 nm
(+1.64 %, change 0.8 %), Li [111] 2.4 nm (+2.52 %, 2.1 %), Li [001] 3.1 nm (−0.82 %, 2.2 %),
LiH [001] 2.7 nm (−0.68 %, 0.8 %); held out Cu [001] 3.9 nm (−1.50 %, 0.9 %), γ-WO3 [010] 2.1 nm
(+0.54 %, 0.75 %). No crystal at corrected Cs or ≥ 10 nm and neither real SrTiO3 image (≤ 0.15 %)
is stopped. A small region can also change by more than 0.5 % from its noise alone (the sample
movie's 48–96 px regions, 0.5–1.4 %): its spacing is then not determined to 1 % either; a larger
region is.
"""

from __future__ import annotations

import math

from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit

WINDOW_LIMIT = 0.005
NOT_DETERMINED = "lattice not determined"


def undetermined(fit: LatticeFit, *, calibrated: bool = True) -> LatticeFit:
    """``fit`` itself, or a failed fit whose reason gives the spacings and their change when a
    spacing changes by more than :data:`WINDOW_LIMIT` under the inner window (see the module).

    Parameters
    ----------
    fit : LatticeFit
        The refined lattice with its :attr:`LatticeFit.window_shift` measured.
    calibrated : bool
        False when the image has no pixel size (fitted at 1 nm per px): the spacings are then
        quoted in px, not Å.

    Returns
    -------
    LatticeFit
    """
    change = max((abs(s) for s in fit.window_shift if math.isfinite(s)), default=0.0)
    if not fit.ok or change <= WINDOW_LIMIT:
        return fit
    spacings = " and ".join(
        spacing_text(d, calibrated=calibrated) for d in (fit.d_a_nm, fit.d_b_nm) if math.isfinite(d)
    )
    reason = (
        f"{NOT_DETERMINED}: the spacings ({spacings}) change by {100 * change:.1f} % when only "
        "the centre of the region is analysed, so the fringes are not one periodic lattice "
        "across it: the lens delocalises the fringes of a small crystal (large defocus or "
        "uncorrected Cs) and moves its reflections by up to twice that, as can a boundary, "
        "strain or the noise of a small region (analyse a larger one); the spots are listed with "
        "their own 1σ"
    )
    return LatticeFit(False, reason, window_shift=fit.window_shift)


def spacing_text(d_nm: float, *, calibrated: bool, digits: int = 3) -> str:
    """A lattice spacing ``d_nm`` (nm; px when not ``calibrated``) as the user reads it: in Å
    with ``digits`` decimals, or in px with one decimal fewer."""
    if calibrated:
        return f"{10 * d_nm:.{digits}f} Å"
    return f"{d_nm:.{max(digits - 1, 0)}f} px"


def determination_warning(fit: LatticeFit) -> str:
    """The reason of a lattice :func:`undetermined`, else ""."""
    return fit.reason if not fit.ok and fit.reason.startswith(NOT_DETERMINED) else ""
