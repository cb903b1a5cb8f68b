"""EELS edge detection on spectra without an edge and with one of a stated SNR.

Every case is a scan of 8 spectra through :func:`insitu_tem.analysis.eels.chemical_shift`
(spectrum 0 the reference, the 7 others tested, :data:`~insitu_tem.analysis.eels.shifts.
DETECTION_P` the level): an edge of the table drawn from W O2,3 (20–50 eV, 0.05 eV/channel),
N K, Ti L2,3 and O K (0.25 eV/channel from 40 eV below the onset); a power law A·E^−r, r
uniform in 2–5, A log-uniform so that 1e2–1e6 counts/channel fall at the onset; Poisson noise.

* **exact power law**: no edge, the same law in every spectrum; the false-detection rate should
  be the test's level (informative: session 27 measured 2.9× it, docs/eels.md).
* **smooth departure**: no edge, each spectrum's law bent by exp(k·4·ln²(E/E_onset)), k uniform
  in ±0.3 per spectrum (a local exponent that drifts by up to ±0.9 across the W O2,3 region,
  ±0.2 across the core-loss ones): a background the power law × quadratic does not follow;
  informative.
* **power at SNR 20**: every spectrum holds a saw-tooth edge (a 1 eV-wide step at the onset
  decaying as (E/E_onset)^−2) whose ideal matched-filter SNR over the fitted region, √Σ
  edge²/background, is 20 (the reference's own noise and the unknown background not counted);
  the fraction not detected; informative.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.eels import chemical_shift
from insitu_tem.analysis.eels.shifts import DETECTION_P, default_fit_window
from insitu_tem.core.model import Axis
from validation.stats import Measurement

SEED = 20261203
EDGES = (("W-O23", 36.8, 20.0, 0.05), ("N-K", 401.0, None, 0.25), ("Ti-L23", 456.0, None, 0.25),
         ("O-K", 532.0, None, 0.25))  # fmt: skip
CHANNELS = 600
SPECTRA = 8
SNR = 20.0
FAST, FULL = 12, 300


def _case(rng: np.random.Generator, kind: str) -> tuple[str, Axis, np.ndarray]:
    """(edge, energy axis, noise-free spectra) of one scan of ``kind``."""
    edge, onset, start, dispersion = EDGES[rng.integers(len(EDGES))]
    energy = Axis("E", CHANNELS, dispersion, onset - 40.0 if start is None else start, "eV")
    e = energy.coordinates()
    counts = np.exp(rng.uniform(np.log(1e2), np.log(1e6)))
    law = counts * (e / onset) ** -rng.uniform(2.0, 5.0)
    spectra = np.tile(law, (SPECTRA, 1))
    if kind == "smooth departure":
        bend = rng.uniform(-0.3, 0.3, size=(SPECTRA, 1))
        spectra = spectra * np.exp(bend * 4.0 * np.log(e / onset) ** 2)
    elif kind == "power":
        shape = 0.5 * (1 + np.tanh((e - onset) / 0.5)) * (e / onset) ** -2.0
        low, high = onset - 20.0, default_fit_window(edge)[1]
        inside = (e >= low) & (e <= high)
        spectra = spectra + SNR * shape / np.sqrt(np.sum(shape[inside] ** 2 / law[inside]))
    return edge, energy, spectra


def detection_rate(kind: str, scans: int, seed: int = SEED) -> float:
    """Fraction of the tested spectra (all but the reference) detected, over ``scans`` scans."""
    rng = np.random.default_rng(seed)
    detected = []
    for _ in range(scans):
        edge, energy, spectra = _case(rng, kind)
        noisy = rng.poisson(spectra).astype(float)
        detected.append(np.ravel(chemical_shift(noisy, energy, edge, reference=0).detected)[1:])
    return float(np.concatenate(detected).mean())


def run(*, fast: bool) -> list[Measurement]:
    """The three rates on ``FAST`` or ``FULL`` scans each."""
    scans = FAST if fast else FULL
    tested = scans * (SPECTRA - 1)
    rows = (
        ("exact power law", "false-detection rate, no edge, exact power law"),
        ("smooth departure", "false-detection rate, no edge, smooth departure from a power law"),
        ("power", f"edge of SNR {SNR:g} not detected"),
    )
    out = []
    for kind, name in rows:
        rate = detection_rate(kind, scans)
        value = 1.0 - rate if kind == "power" else rate
        out.append(
            Measurement(
                "eels_detection",
                f"EELS {name} (of {tested}, informative); level {DETECTION_P:g}",
                np.array([value]),
                None,
                "",
                coverage_range=None,
            )
        )
    return out
