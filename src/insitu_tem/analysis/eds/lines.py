"""X-ray lines, their widths on the detector, and integration windows.

Line energies come from exspy's elements database (the one HyperSpy uses);
the detector FWHM grows as √E (Fiori's relation, as exspy computes it):

    FWHM(E)² = FWHM(Mn Kα)² + 2.5 eV · (E − E(Mn Kα))

Each line is integrated over ``E ± width/2`` (``width = 2 FWHM`` by default)
and its background estimated from two windows one FWHM wide, 2–3 FWHM
below and above the line, joined by a straight line — the windows of
exspy's ``estimate_background_windows`` defaults.

References
----------
.. [1] C. E. Fiori and D. E. Newbury, Scanning Electron Microsc. 1, 401 (1978).
.. [2] J. I. Goldstein et al., *Scanning Electron Microscopy and X-Ray
   Microanalysis*, 4th ed., Springer (2018), ch. 19.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from insitu_tem.analysis.eds.database import xray_lines

DEFAULT_RESOLUTION_MN_KA_EV = 130.0
MIN_FWHM_EV = 30.0
_PREFERRED = ("Ka", "La", "Ma")


def fwhm_ev(energy_ev: float, *, resolution_mn_ka_ev: float = DEFAULT_RESOLUTION_MN_KA_EV) -> float:
    """Detector FWHM at ``energy_ev`` (eV) for a detector of FWHM ``resolution_mn_ka_ev`` at Mn
    Kα, eV; never below :data:`MIN_FWHM_EV` (the relation gives no width at low energies for
    the best detectors)."""
    squared = resolution_mn_ka_ev**2 + 2.5 * (energy_ev - _mn_ka_ev())
    return float(np.sqrt(max(squared, MIN_FWHM_EV**2)))


def fwhm_sigma_ev(
    energy_ev: float, *, resolution_mn_ka_ev: float, resolution_sigma_ev: float
) -> float:
    """1σ of :func:`fwhm_ev` at ``energy_ev`` (eV) from a 1σ ``resolution_sigma_ev`` (eV) of
    the FWHM at Mn Kα: ``FWHM(Mn Kα) · σ / FWHM(E)`` (the relation's derivative), 0 where the
    width is at its floor :data:`MIN_FWHM_EV`."""
    width = fwhm_ev(energy_ev, resolution_mn_ka_ev=resolution_mn_ka_ev)
    floor = resolution_mn_ka_ev**2 + 2.5 * (energy_ev - _mn_ka_ev()) <= MIN_FWHM_EV**2
    return 0.0 if floor else float(resolution_mn_ka_ev * resolution_sigma_ev / width)


@lru_cache(maxsize=1)
def _mn_ka_ev() -> float:
    return line_energy_ev("Mn", "Ka")


@dataclass(frozen=True)
class XrayLine:
    """One X-ray line and its windows, all in eV.

    Attributes
    ----------
    name : str
        ``"Si_Ka"``.
    element : str
    energy_ev, fwhm_ev : float
    peak_window : (float, float)
    background_windows : ((float, float), (float, float))
        Below and above the line.
    """

    name: str
    element: str
    energy_ev: float
    fwhm_ev: float
    peak_window: tuple[float, float]
    background_windows: tuple[tuple[float, float], tuple[float, float]]


def line_energy_ev(element: str, family: str) -> float:
    """Energy of ``element``'s ``family`` line (``"Ka"``, ``"La"``…), eV, from exspy's database."""
    lines = _lines_of(element)
    if family not in lines:
        raise ValueError(
            f"{element} has no {family} line; it has {', '.join(lines.keys()) or 'none'}"
        )
    return 1000.0 * lines[family][0]


def _lines_of(element: str) -> dict[str, tuple[float, float]]:
    """``element``'s X-ray lines → (energy, keV; weight) from exspy's database."""
    database = xray_lines()
    if element not in database:
        raise ValueError(f"unknown element {element!r}; use chemical symbols such as Si, O, C, F")
    return database[element]


def main_line(
    element: str, *, beam_energy_kv: float = 200.0, max_energy_ev: float = 20000.0
) -> str:
    """The line used for ``element``: Kα when below ``max_energy_ev``, else Lα, else Mα."""
    lines = _lines_of(element)
    for family in _PREFERRED:
        if family in lines and 1000.0 * lines[family][0] < min(
            max_energy_ev, beam_energy_kv * 1000
        ):
            return f"{element}_{family}"
    raise ValueError(f"{element} has no usable X-ray line below {max_energy_ev / 1000:g} keV")


def xray_line(
    name: str, *, resolution_mn_ka_ev: float = DEFAULT_RESOLUTION_MN_KA_EV, width_fwhm: float = 2.0
) -> XrayLine:
    """Windows of line ``name`` (``"Si_Ka"``) for a detector of the given Mn Kα resolution."""
    element, _, family = name.partition("_")
    energy = line_energy_ev(element, family)
    width = fwhm_ev(energy, resolution_mn_ka_ev=resolution_mn_ka_ev)
    half = width_fwhm * width / 2
    below = (energy - 3.0 * width, energy - 2.0 * width)
    above = (energy + 2.0 * width, energy + 3.0 * width)
    return XrayLine(name, element, energy, width, (energy - half, energy + half), (below, above))
