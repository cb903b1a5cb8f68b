"""X-ray line families (K, L, M of one element) as the detector draws them.

A family's lines and their weights relative to its main line (Kα, Lα, Mα = 1) are exspy's
database (the one HyperSpy uses, after [1]_); where the database gives the main line no weight
(Ca Lα: calcium's 3d shell is empty) the family's strongest line is its main line (Ca Ll at
0.303 keV, with Ca Lη), so that calcium's L peak is not left to C Kα or N Kα. Each line is a
Gaussian of the detector FWHM at its energy (:func:`~insitu_tem.analysis.eds.lines.fwhm_ev`)
integrated over each channel, so a family profile of unit amplitude holds one count in its
main line.

Elements searched: every element of the database with a stable isotope, and Th and U
(:data:`UNSTABLE` are left out: Tc, Pm and the short-lived heavy elements do not occur in a
specimen).

References
----------
.. [1] Cross sections and line weights of the HyperSpy/exspy elements database: D. B. Williams
   and C. B. Carter, *Transmission Electron Microscopy*, 2nd ed., Springer (2009), ch. 33.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import erf

from insitu_tem.analysis.eds.database import xray_lines
from insitu_tem.analysis.eds.lines import fwhm_ev

MAIN = {"K": "Ka", "L": "La", "M": "Ma"}
SHELLS = {"K": 0, "L": 1, "M": 2}
UNSTABLE = frozenset(
    {"Tc", "Pm", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Pa", "Np", "Pu", "Am", "H", "He"}
)
GREEK = {"a": "α", "b": "β", "g": "γ", "l": "l", "n": "η", "z": "ζ"}


@dataclass(frozen=True)
class Family:
    """One element's K, L or M lines.

    Attributes
    ----------
    element : str
    shell : str
        ``"K"``, ``"L"`` or ``"M"``.
    lines : tuple of str
        ``("Fe_Ka", "Fe_Kb")``, main line first.
    energies_ev : tuple of float
    weights : tuple of float
        Intensity of each line relative to the main line.
    """

    element: str
    shell: str
    lines: tuple[str, ...]
    energies_ev: tuple[float, ...]
    weights: tuple[float, ...]

    @property
    def name(self) -> str:
        """``"Fe K"``."""
        return f"{self.element} {self.shell}"

    @property
    def main_energy_ev(self) -> float:
        """Energy of the main line, eV."""
        return self.energies_ev[0]


def pretty(line: str) -> str:
    """``"Fe_Ka"`` -> ``"Fe Kα"``, ``"Pt_Lb1"`` -> ``"Pt Lβ1"``."""
    element, _, family = line.partition("_")
    if len(family) >= 2 and family[1] in GREEK and family[0] in "KLM":
        family = family[0] + GREEK[family[1]] + family[2:]
    return f"{element} {family}"


@lru_cache(maxsize=1)
def all_families() -> tuple[Family, ...]:
    """Every family of every searched element (module docstring), by main-line energy."""
    found = []
    for element, lines in xray_lines().items():
        if element in UNSTABLE:
            continue
        for shell, named in MAIN.items():
            drawn = [name for name in lines if name.startswith(shell) and lines[name][1] > 0]
            if not drawn:
                continue
            main = named if named in drawn else max(drawn, key=lambda name: lines[name][1])
            members = sorted(
                (name for name in lines if name.startswith(shell) and name != main),
                key=lambda name: -lines[name][1],
            )
            names = (main, *members)
            base = lines[main][1]
            found.append(
                Family(
                    element,
                    shell,
                    tuple(f"{element}_{n}" for n in names),
                    tuple(1000.0 * lines[n][0] for n in names),
                    tuple(lines[n][1] / base for n in names),
                )
            )
    return tuple(sorted(found, key=lambda f: f.main_energy_ev))


def families_in_range(low_ev: float, high_ev: float) -> tuple[Family, ...]:
    """Families whose main line lies in ``[low_ev, high_ev]``."""
    return tuple(f for f in all_families() if low_ev <= f.main_energy_ev <= high_ev)


def gaussian_counts(
    energies_ev: np.ndarray, centre_ev: float, fwhm: float, *, step_ev: float
) -> np.ndarray:
    """Fraction of a unit Gaussian line (FWHM ``fwhm``, eV) that falls in each channel of width
    ``step_ev`` centred on ``energies_ev``."""
    sigma = fwhm / np.sqrt(8 * np.log(2))
    scale = np.sqrt(2) * sigma
    high = erf((energies_ev + step_ev / 2 - centre_ev) / scale)
    low = erf((energies_ev - step_ev / 2 - centre_ev) / scale)
    return 0.5 * (high - low)


def line_profiles(
    family: Family,
    energies_ev: np.ndarray,
    *,
    resolution_mn_ka_ev: float,
    below_ev: float = np.inf,
) -> np.ndarray:
    """(channels, lines) counts per channel of each line of ``family`` with one count in its
    main line; lines at or above ``below_ev`` (eV, the beam energy) are zero."""
    energies = np.asarray(energies_ev, dtype=float)
    step = float(np.median(np.diff(energies)))
    columns = np.zeros((energies.size, len(family.lines)))
    for index, (energy, weight) in enumerate(zip(family.energies_ev, family.weights)):
        if energy >= below_ev or weight <= 0:
            continue
        width = fwhm_ev(energy, resolution_mn_ka_ev=resolution_mn_ka_ev)
        columns[:, index] = weight * gaussian_counts(energies, energy, width, step_ev=step)
    return columns
