"""What the map of a 2-D NBD scan can show, read from the scan result "nbd": one value per probe
(with its 1σ where the analysis gives one, and why a probe has none). Qt-free: the NBD panel's
Map tab and the ``nbd-map`` export view read the same values."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from insitu_tem.figures.probe_numbers import probe_number

VIRTUAL = {"BF": "Virtual bright field", "ADF": "Virtual annular dark field"}
STRAIN, CRYSTALLINE = "Lattice strain", "Crystalline"
FRACTION = "Phase fraction: "
RING_D = "Ring d near the known d"
RING_TOLERANCE = 0.1
"""A ring counts as the known ring when its d lies within this fraction of the known d."""


@dataclass(frozen=True)
class MapValues:
    """One value per probe for the map.

    Attributes
    ----------
    values : numpy.ndarray
        (n,) values, NaN where not measured.
    sigma : numpy.ndarray or None
        (n,) 1σ of ``values`` (None: the analysis gives none).
    units : str
        Units of ``values`` ("" for fractions and flags).
    reasons : list of str
        Why each probe has no value ("" where it has one).
    colours : str
        "grey", "diverging" (levels symmetric about 0) or "viridis".
    note : str
        What the map shows and where it has no value.
    """

    values: np.ndarray
    sigma: np.ndarray | None
    units: str
    reasons: list
    colours: str
    note: str


def fraction_legend(name: str) -> str:
    """The legend text of an NMF component: a free one ("free 1") is a profile the NMF found
    between the fixed first and last patterns, shown as "intermediate 1"."""
    return f"intermediate {name[5:]}" if name.startswith("free ") else name


def strain_gaps(value: dict, *, detail: bool = False) -> str:
    """ "; strain not measured at N positions: <reasons>" ("" when measured everywhere). Reasons
    that differ only in their numbers in brackets ("too few spots matched (0 of 6 needed)") are
    counted as one, unless ``detail`` (the status line's tooltip)."""
    strain = np.asarray(value["lattice_strain"], float)
    reasons = value.get("lattice_strain_reason") or [""] * len(strain)
    missing = [r or "no fit" for r, s in zip(reasons, strain) if not np.isfinite(s)]
    if not missing:
        return ""
    if not detail:
        missing = [re.sub(r"\s*\([^)]*\)", "", r) for r in missing]
    counts = {r: missing.count(r) for r in dict.fromkeys(missing)}
    why = ", ".join(f"{r} ({n})" if len(counts) > 1 else r for r, n in counts.items())
    positions = "position" if len(missing) == 1 else "positions"
    return f"; strain not measured at {len(missing)} {positions}: {why}"


def quantities(value: dict | None) -> list[str]:
    """The names the map offers: the virtual images, then what ``value`` (an "nbd" result's
    value, None while there is none) measured."""
    names = list(VIRTUAL.values())
    if value is None:
        return names
    names += [STRAIN, CRYSTALLINE]
    names += [FRACTION + fraction_legend(n) for n in value["phase_fractions"]]
    if value.get("ring_q_per_A"):
        names.append(RING_D)
    return names


def map_values(value: dict, name: str, *, known_d_A: float) -> MapValues:
    """The values of quantity ``name`` (one of :func:`quantities` but the virtual images) in the
    scan result ``value``; ``known_d_A`` is the known ring spacing, Å."""
    n = len(value["crystalline"])
    if name == STRAIN:
        strain = 100.0 * np.asarray(value["lattice_strain"], float)
        sigma = value.get("lattice_strain_sigma")
        reasons = value.get("lattice_strain_reason") or [""] * n
        reasons = [(r or "no fit") if not np.isfinite(s) else "" for r, s in zip(reasons, strain)]
        gaps = strain_gaps(value).removeprefix("; ")
        note = (
            f"Lattice strain d/d_ref − 1 against probe {probe_number(value['reference_index'])}, % "
            f"(hover: ±1σ){'; ' + gaps if gaps else ''}"
        )
        return MapValues(
            strain,
            None if sigma is None else 100.0 * np.asarray(sigma, float),
            "%",
            reasons,
            "diverging",
            note,
        )
    if name == CRYSTALLINE:
        flags = np.asarray(value["crystalline"], float)
        note = (
            f"Crystalline (1: the reference's spots tracked or a sharp ring): "
            f"{int(flags.sum())} of {n} probes"
        )
        return MapValues(flags, None, "", [""] * n, "viridis", note)
    if name.startswith(FRACTION):
        legends = {fraction_legend(k): k for k in value["phase_fractions"]}
        key = legends[name.removeprefix(FRACTION)]
        sigmas = value.get("phase_fractions_sigma") or {}
        sigma = sigmas.get(key)
        note = (
            f"NMF phase fraction of “{name.removeprefix(FRACTION)}” (first and last probes "
            "are the fixed end members; hover: ±1σ)"
        )
        return MapValues(
            np.asarray(value["phase_fractions"][key], float),
            None if sigma is None else np.asarray(sigma, float),
            "",
            [""] * n,
            "viridis",
            note,
        )
    if name == RING_D:
        return ring_d_values(value, known_d_A)
    raise ValueError(f"no map called {name!r}")


def ring_d_values(value: dict, known_d_A: float) -> MapValues:
    """The spacing (Å) of the ring nearest ``known_d_A`` at every probe, with its 1σ; NaN where
    no ring lies within :data:`RING_TOLERANCE` of it."""
    rings = value["ring_q_per_A"]
    sigmas = value.get("ring_q_sigma_per_A") or [[np.nan] * len(q) for q in rings]
    d, sigma, reasons = [], [], []
    for q, q_sigma in zip(rings, sigmas):
        spacing = 1.0 / np.asarray(q, float) if len(q) else np.zeros(0)
        near = np.abs(spacing / known_d_A - 1.0)
        if not len(q) or near.min() > RING_TOLERANCE:
            d.append(np.nan)
            sigma.append(np.nan)
            reasons.append(f"no ring within {100 * RING_TOLERANCE:g} % of {known_d_A:g} Å")
            continue
        k = int(np.argmin(near))
        d.append(spacing[k])
        sigma.append(float(q_sigma[k]) / float(q[k]) ** 2)
        reasons.append("")
    missing = sum(bool(r) for r in reasons)
    note = f"Spacing of the ring nearest the known d = {known_d_A:g} Å, Å (hover: ±1σ)" + (
        f"; no such ring at {missing} of {len(reasons)} probes" if missing else ""
    )
    return MapValues(np.asarray(d, float), np.asarray(sigma, float), "Å", reasons, "viridis", note)


def value_text(values: MapValues, index: int) -> str:
    """A probe's value with its 1σ and units, or why it has none."""
    value = values.values[index]
    if not np.isfinite(value):
        return f"not measured: {values.reasons[index] or 'no value'}"
    sigma = np.nan if values.sigma is None else values.sigma[index]
    spread = f" ± {sigma:.2g}" if np.isfinite(sigma) else ""
    units = f" {values.units}" if values.units else ""
    return f"{value:.4g}{spread}{units}"
