"""The EELS panel's one-line summary at a probe, from the session's EELS result value."""

from __future__ import annotations

import math


def _at(value: dict, key: str, index: int):
    values = value.get(key)
    if values is None:
        return None
    number = values[index]
    return None if number is None or (isinstance(number, float) and math.isnan(number)) else number


def describe(value: dict | None, index: int) -> str:
    """ZLP, thickness, plasmon and the edge's onset, shift ± 1σ and background χ²ᵣ at ``index``."""
    if not value:
        return ""
    parts = []
    if value["zlp_found"][index]:
        parts.append(
            f"ZLP {value['zlp_offset_eV'][index]:+.3f} eV, FWHM {value['fwhm_eV'][index]:.3f} eV"
        )
    else:
        parts.append("no ZLP")
    thickness, plasmon = _at(value, "t_over_lambda", index), _at(value, "plasmon_eV", index)
    if thickness is not None:
        parts.append(f"t/λ {thickness:.3f}")
    if plasmon is not None:
        parts.append(f"plasmon {plasmon:.2f} eV")
    if value.get("edge"):
        onset = _at(value, "edge_onset_eV", index)
        shift = _at(value, "chemical_shift_eV", index)
        err = _at(value, "chemical_shift_stderr_eV", index)
        chi2 = _at(value, "background_chi2", index)
        parts.append(
            f"{value['edge']} onset {_number(onset, '.2f')} eV, shift {_number(shift, '+.3f')} "
            f"± {_number(err, '.3f')} eV ({_against(value.get('reference_index'))}), "
            f"background χ²ᵣ {_number(chi2, '.2f')}"
        )
    return " · ".join(parts)


def _number(number, spec: str) -> str:
    return "n/a" if number is None else format(number, spec)


def _against(reference: int | None) -> str:
    return "vs the loaded reference" if reference is None else f"vs probe {reference}"
