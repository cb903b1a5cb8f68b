"""Peaks that follow from the lines themselves: silicon escape peaks and pile-up (sum) peaks.

**Escape** [1]_: a photon of energy ``E`` above the Si K edge (1.839 keV) that ionises a Si K
shell near the detector's front surface can lose the Si Kα photon (1.740 keV) it makes; the
event is then counted at ``E − 1.740 keV``. The fraction lost (Reed and Ware's formula, normal
incidence)::

    P(E) = ½ ω_K (1 − 1/r) [1 − (μ_K / μ_E) ln(1 + μ_E / μ_K)]

``ω_K`` = 0.050 the fluorescence yield of Si K [2]_, ``r`` the jump ratio of silicon's absorption
across its K edge, ``μ_E`` and ``μ_K`` silicon's mass absorption coefficients at ``E`` and at Si
Kα (exspy's FFAST tables, :func:`.database.silicon_mass_absorption`): 0.37 % at 2 keV,
0.07 % at Fe Kα, 0.04 % at Cu Kα. Each line of a family brings its escape line (a Gaussian of
the detector FWHM at the escape energy), its counts ``P / (1 − P)`` of the line's.

**Pile-up** [3]_: two photons within the pulse processor's resolving time are counted as one of
the summed energy. The pile-up spectrum is, to first order, the self-convolution of the line
spectrum (the strongest lines pair up: Fe Kα + Pt Lα at 15.84 keV next to Zr Kα at 15.78 keV);
its scale is the count rate times the resolving time, not known from a spectrum file, so it is
fitted.

The fit (:mod:`.fit`) takes both as two columns built from the lines of the model: the escape
column's scale bounded to ``[0,`` :data:`ESCAPE_BOUND` ``]`` of the formula (a detector that is
not silicon, or whose escape peaks are rejected by its electronics, gets 0), the pile-up's to
``[0,`` :data:`PILE_UP_BOUND` ``]`` counts per count of the lines (2 %: beyond, the pulse
processor's pile-up rejection has failed; and an unbounded scale would let a strong low-energy
line's sums with every other line stand for lines a few hundred eV above them).
They are then the lines' dependents, not elements: a peak at 6.30 keV beside a strong Cu Kα is
the Cu Kα escape peak before it is Eu or Mn.

References
----------
.. [1] S. J. B. Reed and N. G. Ware, J. Phys. E 5, 582 (1972).
.. [2] M. O. Krause, J. Phys. Chem. Ref. Data 8, 307 (1979).
.. [3] J. I. Goldstein et al., *Scanning Electron Microscopy and X-Ray Microanalysis*, 4th ed.,
   Springer (2018), ch. 16 (coincidence and escape peaks).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.signal import fftconvolve

from insitu_tem.analysis.eds.database import silicon_mass_absorption

SI_KA_EV = 1739.7
SI_K_EDGE_EV = 1839.0
SI_FLUORESCENCE_YIELD = 0.050
ESCAPE_BOUND = 2.0
PILE_UP_BOUND = 0.02


@lru_cache(maxsize=1)
def _si_coefficients() -> tuple[float, float]:
    """Silicon's mass absorption coefficient at Si Kα and its K-edge jump ratio (from 1.835 to
    1.850 keV, either side of the tables' edge structure), cm²/g and 1."""
    below, above = silicon_mass_absorption(1835.0), silicon_mass_absorption(1850.0)
    return silicon_mass_absorption(SI_KA_EV), above / below


@lru_cache(maxsize=4096)
def escape_fraction(energy_ev: float) -> float:
    """Fraction of a line at ``energy_ev`` (eV) counted in its Si escape peak (module
    docstring); 0 below the Si K edge."""
    if energy_ev <= SI_K_EDGE_EV:
        return 0.0
    mu_k, jump = _si_coefficients()
    mu_e = silicon_mass_absorption(energy_ev)
    ratio = mu_k / mu_e
    return float(0.5 * SI_FLUORESCENCE_YIELD * (1 - 1 / jump) * (1 - ratio * np.log(1 + 1 / ratio)))


def escape_profiles(
    family, energies_ev: np.ndarray, *, resolution_mn_ka_ev: float, below_ev: float = np.inf
) -> np.ndarray:
    """(channels, lines) counts per channel of the escape peak of each line of ``family`` (a
    :class:`~insitu_tem.analysis.eds.families.Family`) with one count in its main line; lines
    at or above ``below_ev`` (eV, the beam energy) have none."""
    from insitu_tem.analysis.eds.families import gaussian_counts
    from insitu_tem.analysis.eds.lines import fwhm_ev

    energies = np.asarray(energies_ev, dtype=float)
    step = float(np.median(np.diff(energies)))
    columns = np.zeros((energies.size, len(family.lines)))
    for index, (energy, weight) in enumerate(zip(family.energies_ev, family.weights)):
        fraction = escape_fraction(energy)
        if energy >= below_ev or weight <= 0 or fraction <= 0:
            continue
        escaped = energy - SI_KA_EV
        width = fwhm_ev(escaped, resolution_mn_ka_ev=resolution_mn_ka_ev)
        shape = gaussian_counts(energies, escaped, width, step_ev=step)
        columns[:, index] = weight * fraction / (1 - fraction) * shape
    return columns


def pile_up(lines: np.ndarray, energies_ev: np.ndarray) -> np.ndarray:
    """Self-convolution of the line spectrum ``lines`` (counts per channel on the evenly spaced
    ``energies_ev``, eV) on the same channels, normalised to the lines' total counts (its scale
    is fitted)."""
    lines = np.clip(np.asarray(lines, dtype=float), 0, None)
    total = float(lines.sum())
    if total <= 0:
        return np.zeros_like(lines)
    energies = np.asarray(energies_ev, dtype=float)
    step = float(energies[1] - energies[0])
    summed = np.clip(fftconvolve(lines, lines), 0, None) / total
    at = 2 * energies[0] + step * np.arange(summed.size)
    return np.interp(energies, at, summed, left=0.0, right=0.0)
