"""EDS line identification on spectra with Si escape and pile-up peaks (held out; our own
physics, not exspy's: exspy's ``xray_lines_model`` has neither).

Each spectrum is one of :mod:`validation.eds_identify`'s (exspy's lines on a Kramers continuum),
seeds from :data:`FIRST_SEED`, with two additions made here independently of
:mod:`insitu_tem.analysis.eds.dependents`:

* escape peaks: the line spectrum shifted down by 1.740 keV (each line keeps its own width),
  times Reed and Ware's fraction with silicon's absorption taken as a power law above its K
  edge, ``μ(E) = 3300 cm²/g · (1.85 keV / E)^2.75`` (not the FFAST tables the method uses),
  ``μ(Si Kα) = 330 cm²/g``, jump ratio 11, fluorescence yield 0.050;
* pile-up: the line spectrum's self-convolution holding a fraction of the lines' counts drawn
  log-uniform in 0.05–0.5 %.

Rows as :mod:`validation.eds_identify`'s: the net counts' 1σ, false identifications per spectrum
(an escape or sum peak taken for an element counts as one), strong lines missed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.signal import fftconvolve

from validation import eds_identify
from validation.stats import Measurement

FIRST_SEED = 9300
FAST = 2
FULL = 30
SI_KA_KEV = 1.740


def _escape_fraction(energy_kev: np.ndarray) -> np.ndarray:
    """Reed and Ware's escape fraction with a power-law absorption (module docstring)."""
    energy = np.asarray(energy_kev, dtype=float)
    mu_e = 3300.0 * (1.85 / np.maximum(energy, 1e-3)) ** 2.75
    ratio = 330.0 / mu_e
    fraction = 0.5 * 0.050 * (1 - 1 / 11.0) * (1 - ratio * np.log1p(1 / ratio))
    return np.where(energy > 1.839, fraction, 0.0)


def make_spectrum(seed: int) -> dict:
    """:func:`validation.eds_identify.make_spectrum`'s spectrum with escape and pile-up peaks
    (module docstring), Poisson counts redrawn from the expected counts."""
    case = eds_identify.make_spectrum(seed)
    rng = np.random.default_rng(seed + 100_000)
    energies = case["energies"] / 1000.0
    lines = case["expected_lines"]
    step = float(energies[1] - energies[0])
    escaped = np.interp(energies + SI_KA_KEV, energies, lines * _escape_fraction(energies))
    summed = np.clip(fftconvolve(lines, lines), 0, None) / max(float(lines.sum()), 1.0)
    at = 2 * energies[0] + step * np.arange(summed.size)
    fraction = 10 ** rng.uniform(np.log10(5e-4), np.log10(5e-3))
    pile = fraction * np.interp(energies, at, summed, left=0.0, right=0.0)
    expected = case["expected"] + escaped + pile
    return {**case, "counts": rng.poisson(expected).astype(float)}


def run(*, fast: bool) -> list[Measurement]:
    """:mod:`validation.eds_identify`'s rows on ``FAST`` or ``FULL`` spectra of this corpus."""
    out = eds_identify.corpus(FIRST_SEED, FAST if fast else FULL, maker=make_spectrum)
    return [
        replace(
            row,
            family="eds_escape",
            name=row.name.replace("EDS identification:", "EDS identification, escape + pile-up:"),
        )
        for row in eds_identify.rows(out)
    ]
