"""Normalisation of the unit strings that microscope files carry.

Every calibrated axis in insitu-tem uses one canonical unit per dimension:
real-space lengths in ``nm``, reciprocal lengths in ``1/nm``, energy in ``eV``
and time in ``s``. Readers pass whatever string the file holds through
:func:`normalise_units`, which returns the canonical unit and the factor that
converts a value in the file's unit to it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

UNCALIBRATED = "px"
FRAME = "frame"

_LENGTH_TO_NM = {
    "m": 1e9,
    "mm": 1e6,
    "cm": 1e7,
    "um": 1e3,
    "nm": 1.0,
    "a": 0.1,
    "pm": 1e-3,
}
_TIME_TO_S = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "min": 60.0}
_ENERGY_TO_EV = {"ev": 1.0, "kev": 1e3, "mev": 1e-3}

_ALIASES = {
    "n_m": "nm",
    "nanometer": "nm",
    "nanometers": "nm",
    "nanometre": "nm",
    "nanometres": "nm",
    "micron": "um",
    "microns": "um",
    "µm": "um",
    "μm": "um",
    "å": "a",
    "Å": "a",
    "angstrom": "a",
    "angstroms": "a",
    "ang": "a",
    "meter": "m",
    "meters": "m",
    "sec": "s",
    "second": "s",
    "seconds": "s",
    "µs": "us",
    "μs": "us",
}

_PIXEL_NAMES = {"", "px", "pixel", "pixels", "<undefined>", "undefined", "none", "t.b.d."}


@dataclass(frozen=True)
class UnitConversion:
    """Result of normalising a unit string.

    Attributes
    ----------
    units : str
        Canonical unit: ``"nm"``, ``"1/nm"``, ``"eV"``, ``"s"``, ``"px"``
        (uncalibrated) or the original string when it is not understood.
    factor : float
        Multiply a value in the original unit by this to get canonical units.
    warning : str or None
        Set when the string was unusual or not understood.
    """

    units: str
    factor: float
    warning: str | None = None


def _canonical_token(text: str) -> str:
    token = text.strip().replace(" ", "")
    return _ALIASES.get(token, _ALIASES.get(token.lower(), token.lower()))


def _reciprocal_part(text: str) -> str | None:
    compact = text.replace(" ", "")
    for pattern in (r"^1/(.+)$", r"^(.+)\^-1$", r"^(.+)-1$", r"^(.+)⁻¹$"):
        match = re.match(pattern, compact)
        if match:
            return match.group(1)
    return None


def normalise_units(text: str | None) -> UnitConversion:
    """Map a unit string from a file to insitu-tem's canonical unit.

    Parameters
    ----------
    text : str or None
        Unit string as stored in the file (``"nm"``, ``"n_m"``, ``"µm"``,
        ``"1 / nm"``, ``"Å"``, ``"eV"``, empty, ...).

    Returns
    -------
    UnitConversion
        Canonical unit, conversion factor and an optional warning. Unknown
        strings are kept as they are with factor 1 and a warning; they never
        raise.
    """
    raw = "" if text is None else str(text)
    stripped = raw.strip()
    if stripped.lower() in _PIXEL_NAMES:
        return UnitConversion(UNCALIBRATED, 1.0)
    odd = None
    if stripped.lower() == "n_m":
        odd = f"unit string {raw!r} read as nm"
    reciprocal = _reciprocal_part(stripped)
    if reciprocal is not None:
        token = _canonical_token(reciprocal)
        if token in _LENGTH_TO_NM:
            return UnitConversion("1/nm", 1.0 / _LENGTH_TO_NM[token], odd)
    token = _canonical_token(stripped)
    if token in _LENGTH_TO_NM:
        return UnitConversion("nm", _LENGTH_TO_NM[token], odd)
    if token in _TIME_TO_S:
        return UnitConversion("s", _TIME_TO_S[token], odd)
    if token in _ENERGY_TO_EV:
        return UnitConversion("eV", _ENERGY_TO_EV[token], odd)
    if token in {"rad", "mrad"}:
        return UnitConversion("mrad", 1e3 if token == "rad" else 1.0, odd)
    return UnitConversion(stripped, 1.0, f"unit string {raw!r} not understood; axis kept as is")


def is_valid_scale(scale: float) -> bool:
    """Return True when ``scale`` is a finite, strictly positive number."""
    try:
        value = float(scale)
    except (TypeError, ValueError):
        return False
    return math.isfinite(value) and value > 0
