"""The EELS panel's one-line summary at a probe, from the session's EELS result value."""

from __future__ import annotations

import math

from insitu_tem.core.uncertainty_text import value_with_sigma
from insitu_tem.figures.probe_numbers import probe_number


def _at(value: dict, key: str, index: int):
    values = value.get(key)
    if values is None:
        return None
    number = values[index]
    return None if number is None or (isinstance(number, float) and math.isnan(number)) else number


def _with_sigma(value: dict, key: str, sigma_key: str, index: int, *, signed: bool) -> str:
    """``value[key][index]`` to 3 decimals, or with its 1σ rounded as a paper quotes it (two
    significant digits, the value to match) when the result has one there."""
    number, sigma = value[key][index], _at(value, sigma_key, index)
    sign = "+" if signed and number >= 0 else ""
    if sigma is None:
        return f"{sign}{number:.3f}"
    return sign + value_with_sigma(number, sigma)


def describe(value: dict | None, index: int) -> str:
    """ZLP, thickness, plasmon and the edge's onset, shift, window counts ± 1σ and background χ²ᵣ
    at ``index``."""
    if not value:
        return ""
    parts = []
    if value["zlp_found"][index]:
        offset = _with_sigma(value, "zlp_offset_eV", "zlp_offset_sigma_eV", index, signed=True)
        fwhm = _with_sigma(value, "fwhm_eV", "fwhm_sigma_eV", index, signed=False)
        parts.append(f"ZLP {offset} eV, FWHM {fwhm} eV")
    else:
        parts.append("no ZLP")
    thickness_text = _thickness_text(value, index)
    if thickness_text:
        parts.append(thickness_text)
    plasmon_text = _plasmon_text(value, index)
    if plasmon_text:
        parts.append(plasmon_text)
    if value.get("edge"):
        parts.append(_edge_text(value, index))
    return " · ".join(parts)


def _thickness_text(value: dict, index: int) -> str:
    """t/λ ± 1σ; the value alone with why it has no 1σ (the spectrum does not fall towards the
    end of the range); "t/λ not measured: <reason>" when the result says why there is none."""
    if _at(value, "t_over_lambda", index) is None:
        reason = value.get("t_over_lambda_reason")
        return f"t/λ not measured: {reason}" if reason and value["zlp_found"][index] else ""
    text = "t/λ " + _with_sigma(value, "t_over_lambda", "t_over_lambda_sigma", index, signed=False)
    if _at(value, "t_over_lambda_sigma", index) is None:
        text += " (no 1σ: the spectrum does not fall towards the end of the range)"
    return text


def _plasmon_text(value: dict, index: int) -> str:
    """The plasmon energy ± 1σ; "plasmon not measured: <reason>" where the result says why there
    is none (no text for a result that has neither)."""
    if _at(value, "plasmon_energy_eV", index) is not None:
        energy = _with_sigma(
            value, "plasmon_energy_eV", "plasmon_energy_sigma_eV", index, signed=False
        )
        return f"plasmon {energy} eV"
    reason = value.get("plasmon_energy_reason")
    return f"plasmon not measured: {reason}" if reason and value["zlp_found"][index] else ""


def _edge_text(value: dict, index: int) -> str:
    """The edge's onset, shift ± 1σ and background χ²ᵣ; "not measured: <reason>" for what the
    analysis could not measure at this probe; on a single spectrum without an onset that alone
    with the window counts and χ²ᵣ (its shift is against itself, and an excess over a poorly
    fitted background is no edge)."""
    edge, reason = value["edge"], value.get("edge_reason") or "not found"
    onset = _at(value, "edge_onset_eV", index)
    shift = _at(value, "chemical_shift_eV", index)
    alone = len(value["edge_onset_eV"]) == 1 and value.get("reference_index") == index
    if onset is None and (shift is None or alone):
        return f"{edge} not measured: {reason}" + (_fit_note(value, index) if alone else "")
    err = _at(value, "chemical_shift_stderr_eV", index)
    chi2 = _at(value, "background_chi2", index)
    onset_text = (
        "onset not measured"
        if onset is None
        else "onset "
        + _with_sigma(value, "edge_onset_eV", "edge_onset_sigma_eV", index, signed=False)
        + " eV"
    )
    shift_text = (
        "shift not measured"
        if shift is None
        else "the shift reference"
        if value.get("reference_index") == index
        else f"shift {shift:+.3f} ± {_number(err, '.3f')} eV"
        f" ({_against(value.get('reference_index'))})"
    )
    missing = f" — not measured: {reason}" if onset is None or shift is None else ""
    window = _window_text(value, index)
    return (
        f"{edge} {_detection_text(value, index)}{onset_text}, {shift_text}, {window}"
        f"background χ²ᵣ {_number(chi2, '.2f')}{missing}"
    )


def _fit_note(value: dict, index: int) -> str:
    """ "; window <counts> counts, background χ²ᵣ <χ²>": what was fitted where no edge was."""
    chi2 = _number(_at(value, "background_chi2", index), ".2f")
    return f"; {_window_text(value, index)}background χ²ᵣ {chi2}"


def _detection_text(value: dict, index: int) -> str:
    """Whether the edge was detected at ``index`` and the test's p-value, followed by ", "
    ("" without a test)."""
    p = _at(value, "edge_detection_p", index)
    if p is None or value.get("edge_detected") is None:
        return ""
    state = "detected" if value["edge_detected"][index] else "not detected"
    return f"{state} (p {p:.2g}), "


def _window_text(value: dict, index: int) -> str:
    """The background-subtracted window counts ± 1σ at ``index`` followed by ", " ("" without)."""
    counts = _at(value, "map_counts", index)
    if counts is None:
        return ""
    window = _with_sigma(value, "map_counts", "map_counts_sigma", index, signed=False)
    return f"window {window} counts, "


def _number(number, spec: str) -> str:
    return "n/a" if number is None else format(number, spec)


def _against(reference: int | None) -> str:
    return "vs the loaded reference" if reference is None else f"vs probe {probe_number(reference)}"
