"""Unit names in holder logs turned into short SI symbols, and time columns into seconds."""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np

from insitu_tem.core.model import DataError

UNIT_SYMBOLS = {
    "amps": "A",
    "amp": "A",
    "ampere": "A",
    "a": "A",
    "ma": "mA",
    "na": "nA",
    "µa": "µA",
    "ua": "µA",
    "volts": "V",
    "volt": "V",
    "v": "V",
    "mv": "mV",
    "ohms": "Ω",
    "ohm": "Ω",
    "ω": "Ω",
    "degrees c": "°C",
    "degc": "°C",
    "c": "°C",
    "°c": "°C",
    "k": "K",
    "mw": "mW",
    "w": "W",
    "mbar": "mbar",
    "bar": "bar",
    "pa": "Pa",
    "%": "%",
}
SECONDS_PER = {
    "ms": 1e-3,
    "milliseconds": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hours": 3600.0,
}


def unit_symbol(name: str) -> str:
    """``"Amps"`` → ``"A"``, ``"degC"`` → ``"°C"``; unknown names are kept as written."""
    key = name.strip().lower()
    return UNIT_SYMBOLS.get(key, name.strip())


def split_name_units(header: str) -> tuple[str, str]:
    """``"Temperature Measured (degC)"`` or ``"Tmeas[C]"`` → (name, unit symbol)."""
    match = re.fullmatch(r"\s*(.*?)\s*[\(\[]\s*([^\)\]]*)\s*[\)\]]\s*", header)
    if match is None:
        return header.strip(), ""
    return match.group(1), unit_symbol(match.group(2))


def clock_seconds(text: str) -> float:
    """Seconds since midnight of ``"HH:MM:SS"`` or ``"HH:MM:SS.fff"``."""
    for layout in ("%H:%M:%S.%f", "%H:%M:%S"):
        try:
            clock = datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
        return clock.hour * 3600 + clock.minute * 60 + clock.second + clock.microsecond * 1e-6
    raise DataError(f"time stamp {text.strip()[:40]!r} is not HH:MM:SS[.fff]")


def unwrap_midnight(seconds: np.ndarray) -> np.ndarray:
    """Clock times (s since midnight) made increasing across midnight roll-overs."""
    seconds = np.asarray(seconds, dtype=float).copy()
    for rollover in 1 + np.flatnonzero(np.diff(seconds) < -43200):
        seconds[rollover:] += 86400.0
    return seconds


def numeric_column(values: list[str]) -> np.ndarray | None:
    """Floats of a text column (empty and NaN cells → NaN), or None when it is not numeric."""
    out = np.empty(len(values))
    for i, text in enumerate(values):
        text = text.strip()
        if text == "" or text.lower() == "nan":
            out[i] = np.nan
            continue
        try:
            out[i] = float(text)
        except ValueError:
            return None
    return out
