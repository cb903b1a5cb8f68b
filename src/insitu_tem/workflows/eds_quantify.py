"""Cliff–Lorimer composition of EDS spectra, as ``insitu-tem eds`` and the EELS panel's EDS form
compute it: the net counts of each element's line and their variance, then
:func:`~insitu_tem.analysis.eds.maps.cliff_lorimer`. The counts are the identification's
fitted net counts of the element's main line and their 1σ (the continuum's, the profiles' and
the resolution's errors in it, :mod:`insitu_tem.analysis.eds.identify`) when the elements were
identified; else (``insitu-tem eds FILE --elements …`` without ``--identify``) each element's
main line (:func:`~insitu_tem.analysis.eds.lines.main_line`) mapped with
:func:`~insitu_tem.analysis.eds.maps.line_maps` (peak window less the straight background
through its side windows, at the detector resolution in effect), summed over the spectra,
with their counting variance only. The covariances between elements' fitted counts are not
carried (their 1σ are).

Atomic percent is Cliff–Lorimer with each k-factor divided by the element's atomic weight
(gemmi's): ``x_i = (k_i I_i / A_i) / Σ_j (k_j I_j / A_j)``, the weight fractions converted to
atom fractions, its 1σ by the same delta method. Every k-factor 1 (none given): relative line
intensities, not a composition; no absorption correction in either case.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from insitu_tem.analysis.eds.lines import DEFAULT_RESOLUTION_MN_KA_EV

METHOD = "Cliff-Lorimer, no absorption correction"
UNIT_KFACTORS_NOTE = "all k-factors 1: relative line intensities, not a composition"


@dataclass(frozen=True)
class Quantification:
    """Cliff–Lorimer composition of a set of elements.

    Attributes
    ----------
    elements, lines : tuple of str
        The elements and the line of each (``"Fe_Ka"``).
    totals, totals_sigma : ndarray
        (n_elements,) net counts of each line summed over the spectra and their 1σ, counts.
    weight_percent, weight_percent_sigma : ndarray
        (n_elements,) wt % and 1σ.
    atomic_percent, atomic_percent_sigma : ndarray
        (n_elements,) at. % and 1σ.
    kfactors, kfactor_sigmas : tuple of float
        The k-factors used (1 where none was given) and their 1σ (0 where none was given).
    ok : bool
    reason : str
        Why the composition is not measured or may be biased (windows outside the energy range,
        on another line's peak, no positive intensity).
    """

    elements: tuple[str, ...]
    lines: tuple[str, ...]
    totals: np.ndarray
    totals_sigma: np.ndarray
    weight_percent: np.ndarray
    weight_percent_sigma: np.ndarray
    atomic_percent: np.ndarray
    atomic_percent_sigma: np.ndarray
    kfactors: tuple[float, ...]
    kfactor_sigmas: tuple[float, ...]
    ok: bool
    reason: str


def parse_kfactors(text: str | None, *, sigmas: bool = False) -> dict[str, float]:
    """``"Si=1, O=1.9"`` -> {"Si": 1.0, "O": 1.9} (empty text or None: none); items separated
    by commas or semicolons.

    Parameters
    ----------
    text : str or None
        ELEMENT=VALUE pairs.
    sigmas : bool
        Whether the values are the k-factors' 1σ (each ≥ 0) rather than k-factors (each > 0).

    Raises
    ------
    ValueError
        Naming the first item whose element is not a chemical symbol (gemmi's periodic table;
        ``fe`` is read as Fe), is given twice, or whose value is not a number in range, in one
        sentence.
    """
    import gemmi

    what, rule, example = (
        ("σ", "σ ≥ 0", "Si=0.05, O=0.1") if sigmas else ("k", "k > 0", "Si=1, O=1.9")
    )
    found = {}
    for item in filter(None, (part.strip() for part in (text or "").replace(";", ",").split(","))):
        element, _, value = (part.strip() for part in item.partition("="))
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not element or not (number >= 0 if sigmas else number > 0) or np.isinf(number):
            raise ValueError(f"{item!r}: type ELEMENT={what} pairs with {rule}, e.g. {example}")
        check_elements([element])
        element = gemmi.Element(element).name
        if element in found:
            raise ValueError(f"{element!r} is given twice; give each element once")
        found[element] = number
    return found


def check_elements(symbols: list[str]) -> None:
    """Nothing when every one of ``symbols`` is a chemical element (gemmi's periodic table).

    Raises
    ------
    ValueError
        Naming the first that is not, in one sentence.
    """
    import gemmi

    unknown = [s for s in symbols if gemmi.Element(s).atomic_number == 0]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not an element; type symbols such as Fe, O, Si")


def quantify(
    maps, elements, *, kfactors: dict | None = None, kfactor_sigmas: dict | None = None
) -> Quantification:
    """Cliff–Lorimer wt % and at. % (± 1σ) of ``elements`` from their line maps ``maps``
    (:class:`~insitu_tem.analysis.eds.maps.LineMaps`, one line per element in that order),
    summed over every spectrum; ``kfactors`` and ``kfactor_sigmas`` by element (1 and 0 for
    those not named)."""
    elements = tuple(elements)
    n = len(elements)
    return quantify_counts(
        np.asarray(maps.maps).reshape(n, -1).sum(axis=1),
        np.asarray(maps.variance).reshape(n, -1).sum(axis=1),
        elements,
        tuple(line.name for line in maps.lines),
        kfactors=kfactors,
        kfactor_sigmas=kfactor_sigmas,
        ok=bool(maps.ok),
        reason=maps.reason,
    )


def quantify_counts(
    totals,
    variance,
    elements,
    lines,
    *,
    kfactors: dict | None = None,
    kfactor_sigmas: dict | None = None,
    ok: bool = True,
    reason: str = "",
) -> Quantification:
    """Cliff–Lorimer wt % and at. % (± 1σ) of ``elements`` from the net counts ``totals`` of
    their ``lines`` and their ``variance`` (counts²; the fitted net counts of the
    identification and their 1σ², or the line maps' window sums); ``kfactors`` and
    ``kfactor_sigmas`` by element (1 and 0 for those not named); ``ok`` False with ``reason``
    when the counts are not measured."""
    import gemmi

    from insitu_tem.analysis.eds.maps import cliff_lorimer

    elements = tuple(elements)
    totals = np.asarray(totals, float)
    variance = np.asarray(variance, float)
    k = np.array([(kfactors or {}).get(e, 1.0) for e in elements], float)
    k_sigma = np.array([(kfactor_sigmas or {}).get(e, 0.0) for e in elements], float)
    weight = cliff_lorimer(totals, elements, k, intensity_variance=variance, kfactor_sigmas=k_sigma)
    atomic_weight = np.array([gemmi.Element(e).weight for e in elements], float)
    atomic = cliff_lorimer(
        totals,
        elements,
        k / atomic_weight,
        intensity_variance=variance,
        kfactor_sigmas=k_sigma / atomic_weight,
    )
    return Quantification(
        elements,
        tuple(lines),
        totals,
        np.sqrt(variance),
        np.asarray(weight.weight_percent, float),
        np.asarray(weight.weight_percent_sigma, float),
        np.asarray(atomic.weight_percent, float),
        np.asarray(atomic.weight_percent_sigma, float),
        tuple(float(v) for v in k),
        tuple(float(v) for v in k_sigma),
        bool(ok and weight.ok),
        "; ".join(r for r in (reason, weight.reason) if r),
    )


def quantification_document(found: Quantification, *, kfactors_given: bool) -> dict:
    """The ``quantification`` of ``insitu-tem eds``'s JSON: method, k-factors, wt % and its 1σ,
    the k-factors' 1σ and a note when every k-factor is 1 (``kfactors_given`` False)."""
    elements = found.elements
    return {
        "method": METHOD,
        "kfactors": dict(zip(elements, found.kfactors)),
        "weight_percent": dict(zip(elements, found.weight_percent)),
        "weight_percent_sigma": dict(zip(elements, found.weight_percent_sigma)),
        "kfactor_sigmas": dict(zip(elements, found.kfactor_sigmas)),
        "note": "" if kfactors_given else UNIT_KFACTORS_NOTE,
    }


def main_lines(
    elements, *, beam_energy_kv: float | None, resolution_mn_ka_ev: float | None
) -> tuple:
    """The :class:`~insitu_tem.analysis.eds.lines.XrayLine` (main line and windows) of each of
    ``elements`` for a beam of ``beam_energy_kv``, kV (None: 200), and a detector FWHM at Mn Kα
    of ``resolution_mn_ka_ev``, eV (None: the default), as ``insitu-tem eds`` maps them (this
    reads the X-ray line database: a worker process does it for the window)."""
    from insitu_tem.analysis.eds.lines import main_line, xray_line

    beam = beam_energy_kv or 200.0
    resolution = resolution_mn_ka_ev or DEFAULT_RESOLUTION_MN_KA_EV
    return tuple(
        xray_line(main_line(e, beam_energy_kv=beam), resolution_mn_ka_ev=resolution)
        for e in elements
    )


def composition_value(
    spectra: np.ndarray,
    energies_ev: np.ndarray,
    lines,
    *,
    kfactors: dict | None = None,
    fitted: dict | None = None,
) -> dict:
    """The composition the panel shows of ``spectra`` ((..., channels) counts at channel
    energies ``energies_ev``, eV) as plain data (NaN written None): the elements of ``lines``
    (:func:`main_lines`) quantified by :func:`quantify_counts` — from ``fitted`` (by element:
    the identification's line, net counts and 1σ, :func:`fitted_counts`) when given, else
    from their line maps' window sums (counting statistics only, biased where a window lies
    on another line's peak) — the :func:`quantification_document` with the at. % and its 1σ,
    the elements and lines and their net counts ± 1σ, ``counts_from`` (``"fitted"`` or
    ``"windows"``), the elements whose windows lie on another line's peak (``overlapped``,
    window sums only: the fit separates the lines), each line's windows (``windows``: the
    fields of its :class:`~insitu_tem.analysis.eds.lines.XrayLine`, eV, for the maps), ``ok``
    and ``reason``."""
    from insitu_tem.analysis.eds.maps import line_maps, overlapping_windows

    elements = tuple(line.element for line in lines)
    if not elements:
        return {"ok": False, "reason": "no element present to quantify", "elements": []}
    if fitted is not None:
        values = [fitted[e] for e in elements]
        found = quantify_counts(
            [v[1] for v in values],
            [v[2] ** 2 for v in values],
            elements,
            [v[0] for v in values],
            kfactors=kfactors,
        )
        overlapped = set()
    else:
        found = quantify(line_maps(spectra, energies_ev, tuple(lines)), elements, kfactors=kfactors)
        overlapped = {pair.split("_")[0] for pair in overlapping_windows(lines)}
    document = quantification_document(found, kfactors_given=bool(kfactors))
    return _plain(
        {
            **document,
            "elements": list(elements),
            "lines": list(found.lines),
            "counts_from": "windows" if fitted is None else "fitted",
            "totals": dict(zip(elements, found.totals)),
            "totals_sigma": dict(zip(elements, found.totals_sigma)),
            "atomic_percent": dict(zip(elements, found.atomic_percent)),
            "atomic_percent_sigma": dict(zip(elements, found.atomic_percent_sigma)),
            "overlapped": [e for e in elements if e in overlapped],
            "windows": [asdict(line) for line in lines],
            "ok": found.ok,
            "reason": found.reason,
        }
    )


def fitted_counts(findings) -> dict:
    """``{element: (line, net counts, 1σ)}`` of the present elements of an identification's
    ``findings`` (its JSON's: ``element``, ``status``, ``lines``, ``net_counts``,
    ``net_counts_sigma``), counts: the counts :func:`composition_value` quantifies."""
    return {
        f["element"]: (f["lines"][0], float(f["net_counts"]), float(f["net_counts_sigma"]))
        for f in findings
        if f["status"] == "present" and f["lines"] and f["net_counts_sigma"] is not None
    }


def _plain(value):
    """``value`` with numpy numbers as Python floats and NaN as None."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def line_of(window: dict):
    """The :class:`~insitu_tem.analysis.eds.lines.XrayLine` of one of :func:`composition_value`'s
    ``windows`` (no line database needed)."""
    from insitu_tem.analysis.eds.lines import XrayLine

    below, above = window["background_windows"]
    return XrayLine(
        window["name"],
        window["element"],
        float(window["energy_ev"]),
        float(window["fwhm_ev"]),
        tuple(window["peak_window"]),
        (tuple(below), tuple(above)),
    )
